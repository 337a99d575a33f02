#include "metrics/api_metrics.h"

#include <cstdio>

namespace mlprod::metrics {
namespace {

std::uint64_t MethodCode(std::string_view method) {
  // Eight significant characters are enough to tell every HTTP verb apart.
  std::uint64_t code = 0;
  for (std::size_t i = 0; i < method.size() && i < 8; ++i) {
    code = code * 31 + static_cast<unsigned char>(method[i]);
  }
  return code & 0xFFFFFF;
}

constexpr std::array<std::string_view, 3> kRetrainTriggers{"labels", "schedule", "drift"};
// The `reason` label of api_request_refused_total, in ApiMetrics::PolicyRefusal order.
constexpr std::array<std::string_view, 4> kPolicyReasons{"host", "origin", "content_type",
                                                         "framing"};

}  // namespace

std::vector<double> ApiLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

ApiMetrics::ApiMetrics(prometheus::Registry& registry, std::string app_name)
    : app_name_(std::move(app_name)),
      request_total_(prometheus::BuildCounter()
                         .Name("api_request_total")
                         .Help("HTTP requests answered, by method, path template and status code")
                         .Register(registry)),
      processing_time_(prometheus::BuildHistogram()
                           .Name("api_processing_time")
                           .Help("Seconds from a complete request to its response being ready (the "
                                 "reference's name: no _seconds suffix)")
                           .Register(registry)),
      active_family_(
          prometheus::BuildGauge()
              .Name("api_active_inferences")
              .Help("Inferences started and not yet seen ready by the API (forgotten after 60 s "
                    "without a poll)")
              .Register(registry)),
      exception_total_(prometheus::BuildCounter()
                           .Name("api_exception_total")
                           .Help("Requests whose handler failed with a server-side error (5xx)")
                           .Register(registry)),
      active_inferences_(&active_family_.Add({{"app_name", app_name_}})),
      feedback_family_(prometheus::BuildCounter()
                           .Name("api_inference_feedback_total")
                           .Help("Answers to result lists: outcome good (a location was picked) "
                                 "or bad (none was)")
                           .Register(registry)),
      feedback_good_(&feedback_family_.Add({{"outcome", "good"}, {"app_name", app_name_}})),
      feedback_bad_(&feedback_family_.Add({{"outcome", "bad"}, {"app_name", app_name_}})),
      model_feedback_(registry, app_name_),
      retrain_family_(prometheus::BuildCounter()
                          .Name("api_retrain_triggers_total")
                          .Help("Training runs the automatic retraining trigger queued, by "
                                "trigger (labels, schedule, drift)")
                          .Register(registry)),
      queue_depth_(&prometheus::BuildGauge()
                        .Name("api_queue_depth")
                        .Help("Tasks waiting in the queue as the API last checked it for "
                              "backpressure (-1: the broker did not say)")
                        .Register(registry)
                        .Add({{"app_name", app_name_}})),
      refused_(&prometheus::BuildCounter()
                    .Name("api_inference_refused_total")
                    .Help("POST /inference/start answered 503 because the queue was at "
                          "--max-queue (nothing written)")
                    .Register(registry)
                    .Add({{"app_name", app_name_}})),
      connections_refused_(&prometheus::BuildCounter()
                                .Name("api_connection_refused_total")
                                .Help("Connections accepted beyond --max-connections: answered "
                                      "503 and closed")
                                .Register(registry)
                                .Add({{"app_name", app_name_}})) {
  auto& policy = prometheus::BuildCounter()
                     .Name("api_request_refused_total")
                     .Help(
                         "Requests the HTTP policy refused before any handler ran, by reason "
                         "(host, origin, content_type, framing)")
                     .Register(registry);
  for (std::size_t i = 0; i < kPolicyReasons.size(); ++i) {
    policy_refused_[i] =
        &policy.Add({{"reason", std::string(kPolicyReasons[i])}, {"app_name", app_name_}});
  }
  for (std::size_t i = 0; i < kRetrainTriggers.size(); ++i) {
    retrain_[i] = &retrain_family_.Add(
        {{"trigger", std::string(kRetrainTriggers[i])}, {"app_name", app_name_}});
  }
}

void ApiMetrics::RecordRetrainTrigger(std::string_view trigger) {
  for (std::size_t i = 0; i < kRetrainTriggers.size(); ++i) {
    if (kRetrainTriggers[i] == trigger) retrain_[i]->Increment();
  }
}

ApiMetrics::~ApiMetrics() = default;

ApiMetrics::Series* ApiMetrics::Resolve(std::uint32_t route_id, std::string_view path_template,
                                        std::string_view method, int status_code) {
  const std::uint64_t key = ((static_cast<std::uint64_t>(route_id) + 1) << 40) |
                            (MethodCode(method) << 16) |
                            static_cast<std::uint64_t>(status_code & 0xFFFF);
  std::size_t slot = (key * 0x9E3779B97F4A7C15ULL) >> 52;  // top 12 bits: kSlots == 4096
  for (std::size_t probe = 0; probe < kSlots; ++probe, slot = (slot + 1) % kSlots) {
    const std::uint64_t k = keys_[slot].load(std::memory_order_acquire);
    if (k == key) return series_[slot].load(std::memory_order_relaxed);
    if (k == 0) break;
  }
  MutexLock lock(insert_mu_);
  slot = (key * 0x9E3779B97F4A7C15ULL) >> 52;
  for (std::size_t probe = 0; probe < kSlots; ++probe, slot = (slot + 1) % kSlots) {
    const std::uint64_t k = keys_[slot].load(std::memory_order_relaxed);
    if (k == key) return series_[slot].load(std::memory_order_relaxed);
    if (k != 0) continue;
    char status[8];
    std::snprintf(status, sizeof status, "%d", status_code);
    const prometheus::Labels labels{{"method", std::string(method)},
                                    {"path", std::string(path_template)},
                                    {"status_code", status},
                                    {"app_name", app_name_}};
    auto series = std::make_unique<Series>(
        Series{&request_total_.Add(labels), &processing_time_.Add(labels, ApiLatencyBuckets())});
    series_[slot].store(series.get(), std::memory_order_relaxed);
    keys_[slot].store(key, std::memory_order_release);
    owned_.push_back(std::move(series));
    return owned_.back().get();
  }
  return nullptr;  // table full: the caller falls back to the slow path
}

void ApiMetrics::RecordRequest(std::uint32_t route_id, std::string_view path_template,
                               std::string_view method, int status_code, double seconds) {
  if (Series* s = Resolve(route_id, path_template, method, status_code)) {
    s->requests->Increment();
    s->latency->Observe(seconds);
    return;
  }
  char status[8];
  std::snprintf(status, sizeof status, "%d", status_code);
  const prometheus::Labels labels{{"method", std::string(method)},
                                  {"path", std::string(path_template)},
                                  {"status_code", status},
                                  {"app_name", app_name_}};
  request_total_.Add(labels).Increment();
  processing_time_.Add(labels, ApiLatencyBuckets()).Observe(seconds);
}

void ApiMetrics::RecordException(std::string_view exception, std::string_view method,
                                 std::string_view path_template) {
  exception_total_
      .Add({{"exception", std::string(exception)},
            {"method", std::string(method)},
            {"path", std::string(path_template)},
            {"app_name", app_name_}})
      .Increment();
}

}  // namespace mlprod::metrics
