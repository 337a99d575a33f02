// The API server's Prometheus families (SPEC §8: names kept from the reference) and a lock-free
// cache of label-resolved series so the per-request path never calls Family::Add.
// Not the exposition (see exposition.h). Thread-safe: Record* may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "metrics/model_feedback_metrics.h"

namespace mlprod::metrics {

// Latency buckets (seconds) from 0.5 ms to 10 s; the fast routes land in the first few.
std::vector<double> ApiLatencyBuckets();

class ApiMetrics {
 public:
  // Registers the families in `registry`, which must outlive this object. app_name is the
  // constant `app_name` label (the reference used "api").
  ApiMetrics(prometheus::Registry& registry, std::string app_name);
  ~ApiMetrics();
  ApiMetrics(const ApiMetrics&) = delete;
  ApiMetrics& operator=(const ApiMetrics&) = delete;

  // One finished request. route_id is a small dense id (< kMaxRoutes) naming `path_template`;
  // the pair must be stable for the process lifetime. method must be an upper-case HTTP verb.
  void RecordRequest(std::uint32_t route_id, std::string_view path_template,
                     std::string_view method, int status_code, double seconds);
  // A handler error answered with a 5xx; `exception` is the error kind (e.g. "Unavailable").
  void RecordException(std::string_view exception, std::string_view method,
                       std::string_view path_template);

  prometheus::Gauge& active_inferences() { return *active_inferences_; }
  // A user's answer to a result list (PUT /inference/select/): a pick is "good", no pick
  // (location_id -1) is "bad"; live accuracy = good / (good + bad).
  void RecordFeedback(bool picked) { (picked ? feedback_good_ : feedback_bad_)->Increment(); }
  // A task's first answer as the store counted it (position -1: no pick, 0..10: the pick's
  // position), exported per model; see model_feedback_metrics.h.
  void RecordModelFeedback(const std::string& model_id, int position) {
    model_feedback_.Record(model_id, position);
  }
  const ModelFeedbackMetrics& model_feedback() const { return model_feedback_; }
  // A training run the automatic retraining trigger queued; trigger is "labels", "schedule"
  // or "drift" (api_retrain_triggers_total{trigger}; other names are not counted).
  void RecordRetrainTrigger(std::string_view trigger);
  // The task queue's depth as the last backpressure check saw it (api_queue_depth), and one
  // POST /inference/start refused because it was at --max-queue (api_inference_refused_total).
  void SetQueueDepth(long long depth) { queue_depth_->Set(static_cast<double>(depth)); }
  void RecordRefusal() { refused_->Increment(); }

  // Why the HTTP server's request policy refused a request before any handler ran
  // (api_request_refused_total{reason}).
  enum class PolicyRefusal {
    kHost,         // 421 Host not allowed, 400 Host missing while a list is in force
    kOrigin,       // 403 cross-origin state change
    kContentType,  // 415 state change whose body is not JSON
    kFraming,      // 400 bad Transfer-Encoding framing, 501 unsupported transfer coding
  };
  void RecordPolicyRefusal(PolicyRefusal reason) {
    policy_refused_[static_cast<std::size_t>(reason)]->Increment();
  }
  // A connection accepted beyond --max-connections: answered 503 and closed, or closed
  // unanswered when too many such answers are in flight (api_connection_refused_total).
  void RecordConnectionRefused() { connections_refused_->Increment(); }

  static constexpr std::uint32_t kMaxRoutes = 256;

 private:
  struct Series {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  Series* Resolve(std::uint32_t route_id, std::string_view path_template, std::string_view method,
                  int status_code);

  std::string app_name_;
  prometheus::Family<prometheus::Counter>& request_total_;
  prometheus::Family<prometheus::Histogram>& processing_time_;
  prometheus::Family<prometheus::Gauge>& active_family_;
  prometheus::Family<prometheus::Counter>& exception_total_;
  prometheus::Gauge* active_inferences_;
  prometheus::Family<prometheus::Counter>& feedback_family_;
  prometheus::Counter* feedback_good_;
  prometheus::Counter* feedback_bad_;
  ModelFeedbackMetrics model_feedback_;
  prometheus::Family<prometheus::Counter>& retrain_family_;
  std::array<prometheus::Counter*, 3> retrain_{};  // labels, schedule, drift
  prometheus::Gauge* queue_depth_;
  prometheus::Counter* refused_;
  std::array<prometheus::Counter*, 4> policy_refused_{};  // indexed by PolicyRefusal
  prometheus::Counter* connections_refused_;

  // Open-addressing table: key 0 = empty. A slot's series pointer is published before its key
  // (release), so a reader that sees the key (acquire) sees a complete entry. Insertions take
  // the mutex; lookups never do.
  static constexpr std::size_t kSlots = 4096;
  std::array<std::atomic<std::uint64_t>, kSlots> keys_{};
  std::array<std::atomic<Series*>, kSlots> series_{};
  Mutex insert_mu_;
  std::vector<std::unique_ptr<Series>> owned_ MLPROD_GUARDED_BY(insert_mu_);
};

}  // namespace mlprod::metrics
