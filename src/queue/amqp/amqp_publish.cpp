// Publishing on the AMQP broker: the publisher connection (queue declared, confirms on), one
// publish with its publisher confirm, a retry on a fresh connection, and the queue depth.
#include <spdlog/spdlog.h>

#include <utility>

#include "common/clock.h"
#include "queue/amqp/amqp_broker_impl.h"
#include "queue/amqp/amqp_table.h"
#include "queue/celery_time.h"

namespace mlprod::queue {

using std::chrono::milliseconds;

Status AmqpBroker::Impl::EnsurePublisher() {
  if (pub && !pub->broken()) return OkStatus();
  pub.reset();
  auto c = AmqpConnection::Open(endpoint, heartbeat, options.timeout);
  if (!c.ok()) return c.error();
  MLPROD_RETURN_IF_ERROR(DeclareQueue(**c));
  amqp_confirm_select((*c)->state(), AmqpConnection::kChannel);
  MLPROD_RETURN_IF_ERROR((*c)->CheckRpc("confirm.select"));
  pub = std::move(*c);
  pub_seq = 0;
  if (std::exchange(pub_opened, true)) ++reconnects;
  return OkStatus();
}

Status AmqpBroker::Impl::PublishOnce(const CeleryEnvelope& env) {
  MLPROD_RETURN_IF_ERROR(EnsurePublisher());
  amqp_pool_t pool;
  init_amqp_pool(&pool, 4096);
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
                 AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_PRIORITY_FLAG |
                 AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_HEADERS_FLAG |
                 AMQP_BASIC_TIMESTAMP_FLAG;
  props.content_type = Bytes(env.properties.content_type);
  props.content_encoding = Bytes(env.properties.content_encoding);
  props.delivery_mode = static_cast<uint8_t>(env.properties.delivery_mode);
  props.priority = static_cast<uint8_t>(env.properties.priority);
  props.correlation_id = Bytes(env.properties.correlation_id);
  props.timestamp = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(SystemClock().Now().time_since_epoch())
          .count());
  props.headers = JsonToAmqpTable(env.headers, &pool);
  if (env.properties.expiration) {
    props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    props.expiration = Bytes(*env.properties.expiration);
  }
  const int st = amqp_basic_publish(pub->state(), AmqpConnection::kChannel, amqp_empty_bytes,
                                    Bytes(options.queue), 0, 0, &props, Bytes(env.body));
  empty_amqp_pool(&pool);
  MLPROD_RETURN_IF_ERROR(pub->CheckStatus(st, "basic.publish"));
  const uint64_t seq = ++pub_seq;
  const auto deadline = SystemClock().SteadyNow() + options.timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - SystemClock().SteadyNow());
    if (left.count() <= 0) return pub->CheckStatus(AMQP_STATUS_TIMEOUT, "publisher confirm");
    timeval tv = ToTimeval(left);
    amqp_frame_t frame;
    const int w = amqp_simple_wait_frame_noblock(pub->state(), &frame, &tv);
    MLPROD_RETURN_IF_ERROR(pub->CheckStatus(w, "publisher confirm"));
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      if (ack->delivery_tag >= seq) return OkStatus();
    } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
      return MakeError(ErrorCode::kUnavailable,
                       "amqp broker refused task " + env.properties.correlation_id + " (nack)");
    } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
               frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
      return pub->Broken("publish", "closed by server");
    }
  }
}

Status AmqpBroker::Publish(const TaskMessage& message) {
  if (impl_->closed) return ClosedError();
  for (const auto* t : {&message.eta, &message.expires}) {
    if (*t && !ParseIsoTimestamp(**t).ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "task " + message.id + ": '" + **t + "' is not an ISO-8601 timestamp");
    }
  }
  TaskMessage m = message;
  if (m.origin.empty()) m.origin = impl_->options.origin;
  const CeleryEnvelope env = EncodeTaskMessage(m, SystemClock().Now());
  MutexLock lock(impl_->pub_mu);
  Status st = impl_->PublishOnce(env);
  if (!st.ok() && impl_->pub && impl_->pub->broken()) {
    // An idle publisher connection may have been dropped (heartbeats, broker restart): one retry
    // on a fresh connection. A duplicate is harmless: tasks are idempotent by id.
    spdlog::warn("amqp: publish of task {} failed, reconnecting: {}", m.id, st.error().message);
    impl_->pub.reset();
    st = impl_->PublishOnce(env);
  }
  return st;
}

long long AmqpBroker::Depth() {
  MutexLock lock(impl_->pub_mu);
  if (!impl_->EnsurePublisher().ok()) return -1;
  auto* ok = amqp_queue_declare(impl_->pub->state(), AmqpConnection::kChannel,
                                Bytes(impl_->options.queue), 1, 1, 0, 0, amqp_empty_table);
  if (!impl_->pub->CheckRpc("queue.declare (passive)").ok() || ok == nullptr) return -1;
  return ok->message_count;
}

}  // namespace mlprod::queue
