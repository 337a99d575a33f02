// Inference routes: start, status (with long polling), results, select.
#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/json_mapping.h"
#include "api/offload.h"
#include "api/user_data.h"
#include "api/validation.h"
#include "common/log.h"
#include "common/uuid.h"
#include "tasks/inference_task.h"

namespace mlprod::api {
namespace {

namespace asio = boost::asio;

constexpr double kMaxWaitSeconds = 30;

Response TaskNotFound() { return DetailResponse(404, "Task not found"); }

}  // namespace

void ApiService::RecordFeedback(const store::FeedbackOutcome& outcome) {
  // Only the task's one answer counts (the store's decision): a repeat or a refused answer
  // counts nothing, so N identical picks count one good inference.
  if (!deps_.metrics || !outcome.counted) return;
  deps_.metrics->RecordFeedback(outcome.position != store::kNoPick);
  // An interleaved list (outcome.canary) is the canary's evidence, not one model's list.
  if (outcome.canary.empty()) {
    deps_.metrics->RecordModelFeedback(
        outcome.explored ? std::string(store::kExploredFeedbackId) : outcome.model_id,
        outcome.position);
  }
}

ApiService::StatusLookup ApiService::LookupInferenceStatus(const std::string& task_id,
                                                           RowRead read) {
  auto found = inference_.Status(task_id, read);
  if (!found.ok()) return {ErrorResponse(found.error()), false};
  if (!found->found) return {TaskNotFound(), false};
  const std::string name(TaskStateName(found->state));
  if (found->deferred) {
    StatusLookup deferred{JsonResponse(TaskStatusJson(task_id, name, "inference")), false, name};
    deferred.deferred = true;
    return deferred;
  }
  if (found->state == TaskState::kFailure) {
    Response failed = DetailResponse(500, "Task failed");
    failed.exception = "TaskFailed";
    return {std::move(failed), true, name, found->recorded};
  }
  return {JsonResponse(TaskStatusJson(task_id, name, "inference")), found->ready, name,
          found->recorded};
}

asio::awaitable<Response> ApiService::StatusWithWait(const Request& r, Lookup lookup,
                                                     OnAnswer on_answer) {
  const std::string task_id(r.params[0]);
  std::vector<ValidationIssue> issues;
  Checker check(issues);
  double wait = 0;
  if (auto raw = QueryParam(r.query, "wait")) {
    auto w = check.Number(nlohmann::json(*raw), {"query", "wait"}, 0, kMaxWaitSeconds);
    if (!w) co_return ValidationResponse(issues);
    wait = *w;
  }
  if (!IsUuid(task_id)) co_return TaskNotFound();
  auto& pool = *r.blocking_pool;
  // Queued behind the answer: the client does not wait for what on_answer writes.
  auto answered = [&](const StatusLookup& found) {
    if (on_answer && !found.state.empty() && !found.recorded) {
      asio::post(pool, [on_answer, task_id, state = found.state] { on_answer(task_id, state); });
    }
  };
  const RowRead first_read = wait > 0 ? RowRead::kDeferrable : RowRead::kAlways;
  StatusLookup first =
      co_await Offload(pool, r.deadline, [&] { return lookup(task_id, first_read); });
  if (wait <= 0 || first.ready || first.response.status != 200) {
    answered(first);
    co_return first.response;
  }

  // Long poll: the backend's callback (any thread) wakes us through our own executor, so the
  // timer is only touched by this connection's I/O thread.
  struct Poll {
    explicit Poll(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool fired = false;
  };
  const auto executor = co_await asio::this_coro::executor;
  auto poll = std::make_shared<Poll>(executor);
  auto handle = co_await Offload(pool, r.deadline, [&] {
    return deps_.backend.Watch(task_id, [poll, executor](const queue::TaskResult&) {
      asio::post(executor, [poll] {
        poll->fired = true;
        poll->timer.cancel();
      });
    });
  });
  // The slices are Asio timers, which wait in real time: read the real clock.
  const auto waited = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(wait));
  const auto deadline = SystemClock().SteadyNow() + waited;
  // The reads after the wait get the request's budget once more.
  const auto late = r.deadline + waited;
  // Sliced waits only so a server shutdown cuts the poll short; the wake-up itself is the
  // callback's cancel, not these slices. A first lookup that deferred the row reads it after
  // the first slice: a result that has not come by then may have been forgotten by the backend
  // (the row knows it), and the row must still exist.
  std::optional<StatusLookup> last;  // set early by the row's read when that answers
  bool row_due = first.deferred;
  while (!poll->fired && !r.stopping->load() && SystemClock().SteadyNow() < deadline) {
    poll->timer.expires_at(
        std::min(deadline, SystemClock().SteadyNow() + std::chrono::milliseconds(500)));
    boost::system::error_code ec;
    co_await poll->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (row_due && !poll->fired) {
      row_due = false;
      StatusLookup checked =
          co_await Offload(pool, late, [&] { return lookup(task_id, RowRead::kAlways); });
      if (checked.ready || checked.response.status != 200) {
        last = std::move(checked);
        break;
      }
    }
  }
  co_await Offload(pool, late, [&handle] {
    handle.reset();
    return 0;
  });
  // Known: the first lookup found the row, or deferred it because this API wrote it.
  if (!last) {
    last = co_await Offload(pool, late, [&] { return lookup(task_id, RowRead::kKnown); });
  }
  answered(*last);
  co_return last->response;
}

void ApiService::RegisterInference(Router& router) {
  router.Add(
      Verb::post, "/inference/start",
      [this](const Request& r) {
        if (!JsonBodyAllowed(r)) return UnsupportedMediaType();
        UserDataParse parsed = ParseUserData(r.body);
        if (!parsed.user) return ValidationResponse(parsed.issues);
        auto started = inference_.Start(*parsed.user);
        if (!started.ok()) return ErrorResponse(started.error());
        switch (started->outcome) {
          case usecases::StartOutcome::kQueueFull: {
            if (deps_.metrics) deps_.metrics->RecordRefusal();
            Response busy = DetailResponse(503, "Too many tasks queued, try again later");
            busy.retry_after_s = 1;
            return busy;
          }
          case usecases::StartOutcome::kQueueDown: {
            Response down = DetailResponse(503, "Task queue unavailable, try again later");
            down.exception = ErrorCodeName(ErrorCode::kUnavailable);
            return down;
          }
          case usecases::StartOutcome::kStarted:
            break;
        }
        return JsonResponse(TaskStatusJson(started->task_id, "PENDING", "inference"));
      },
      Exec::kBlocking);

  // An answered status request reports the status it answered to the inference row when the
  // row does not have it yet (after the answer is on its way; the server drains these queued
  // writes before it exits). Unlike the reference, which writes the row and a `status` event on
  // every poll, only a change of status writes (docs/decisions.md). That is also what records a
  // reference worker's SUCCESS in a mixed fleet.
  router.AddAsync(Verb::get, "/inference/status/{task_id}", [this](const Request& r) {
    return StatusWithWait(
        r, [this](const std::string& id, RowRead read) { return LookupInferenceStatus(id, read); },
        [this](const std::string& id, const std::string& state) {
          const auto parsed = ParseTaskState(state);
          if (!parsed) return;
          if (auto st = inference_.RecordStatus(id, *parsed); !st.ok()) {
            spdlog::warn("api: recording status of {}: {}", id, st.error().message);
          }
        });
  });

  router.Add(
      Verb::get, "/inference/results/{task_id}",
      [this](const Request& r) {
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto limit = QueryInt(check, r.query, "limit", 10, 1, 1000);
        if (!limit) return ValidationResponse(issues);
        const std::string task_id(r.params[0]);
        if (!IsUuid(task_id)) return TaskNotFound();
        auto rows = inference_.Results(task_id, static_cast<int>(*limit));
        if (!rows.ok()) return ErrorResponse(rows.error());
        if (!rows->has_value()) return TaskNotFound();
        nlohmann::json out = nlohmann::json::array();
        for (const auto& result : **rows) out.push_back(ResultRowJson(result));
        return JsonResponse(out);
      },
      Exec::kBlocking);

  router.Add(
      Verb::put, "/inference/select/",
      [this](const Request& r) {
        if (!JsonBodyAllowed(r)) return UnsupportedMediaType();
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto obj = check.ParseObject(r.body);
        if (!obj) return ValidationResponse(issues);
        std::optional<std::string> task_id;
        std::optional<long long> location_id;
        if (auto* v = check.Field(*obj, "task_id"))
          task_id = check.String(*v, {"body", "task_id"}, 64);
        if (auto* v = check.Field(*obj, "location_id")) {
          location_id = check.Int(*v, {"body", "location_id"}, -1, 1LL << 53);
        }
        if (!check.ok()) return ValidationResponse(issues);
        if (!IsUuid(*task_id)) return DetailResponse(404, "Result not found");
        // One answer per task (docs/security.md): the same answer again is 200 and counts
        // nothing; a different one is 409; a location the task never showed is 422.
        auto refused = [](const Error& e) {
          if (e.code == ErrorCode::kInvalidArgument) {
            return ValidationResponse({{{"body", "location_id"}, e.message, "not_shown"}});
          }
          return ErrorResponse(e);
        };
        auto answered = inference_.Answer(*task_id, *location_id);
        if (!answered.ok()) return refused(answered.error());
        if (!answered->found) return DetailResponse(404, "Result not found");
        RecordFeedback(answered->feedback);
        if (!answered->row) return JsonResponse(nullptr);  // a rejection
        return JsonResponse(ResultRowJson(*answered->row));
      },
      Exec::kBlocking);
}

}  // namespace mlprod::api
