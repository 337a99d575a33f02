#include "queue/celery_result.h"

namespace mlprod::queue {
namespace {

using nlohmann::json;

Error Bad(std::string what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed Celery result: " + std::move(what));
}

}  // namespace

std::string ResultKey(std::string_view task_id) {
  std::string key(kResultKeyPrefix);
  key += task_id;
  return key;
}

json EncodeTaskResult(const TaskResult& r) {
  return json{{"status", TaskStateName(r.state)},
              {"result", r.result},
              {"traceback", r.traceback.empty() ? json(nullptr) : json(r.traceback)},
              {"children", json::array()},
              {"date_done", r.date_done.empty() ? json(nullptr) : json(r.date_done)},
              {"task_id", r.task_id}};
}

std::string EncodeTaskResultText(const TaskResult& r) { return EncodeTaskResult(r).dump(); }

Result<TaskResult> DecodeTaskResult(const json& v) {
  if (!v.is_object()) return Bad("value is not an object");
  TaskResult r;
  auto status = v.find("status");
  if (status == v.end() || !status->is_string()) return Bad("'status' is missing or not a string");
  auto state = ParseTaskState(status->get_ref<const std::string&>());
  if (!state) return Bad("unknown status '" + status->get<std::string>() + "'");
  r.state = *state;
  auto id = v.find("task_id");
  if (id == v.end() || !id->is_string()) return Bad("'task_id' is missing or not a string");
  r.task_id = id->get<std::string>();
  if (auto it = v.find("result"); it != v.end()) r.result = *it;
  if (auto it = v.find("traceback"); it != v.end() && !it->is_null()) {
    if (!it->is_string()) return Bad("'traceback' is not a string or null");
    r.traceback = it->get<std::string>();
  }
  if (auto it = v.find("date_done"); it != v.end() && !it->is_null()) {
    if (!it->is_string()) return Bad("'date_done' is not a string or null");
    r.date_done = it->get<std::string>();
  }
  if (r.state == TaskState::kFailure && r.result.is_object()) {
    const auto& res = r.result;
    auto t = res.find("exc_type");
    if (t == res.end() || !t->is_string()) return Bad("failure 'exc_type' is missing");
    auto msg = res.find("exc_message");
    if (msg != res.end() && !msg->is_array() && !msg->is_string() && !msg->is_null()) {
      return Bad("failure 'exc_message' is not a list");
    }
  }
  return r;
}

Result<TaskResult> DecodeTaskResultText(std::string_view text) {
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return Bad("value is not valid JSON");
  return DecodeTaskResult(v);
}

json FailureResult(std::string_view exc_type, std::string_view message,
                   std::string_view exc_module) {
  return json{
      {"exc_type", exc_type}, {"exc_message", json::array({message})}, {"exc_module", exc_module}};
}

json RevokedResult(std::string_view reason) {
  return FailureResult("TaskRevokedError", reason, "celery.exceptions");
}

}  // namespace mlprod::queue
