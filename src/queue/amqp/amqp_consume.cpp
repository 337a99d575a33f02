// Consuming from the AMQP broker: the consumer connection (basic.consume, manual acks), the
// prefetch window widened by held deliveries (AddHeld), decoding received messages (an
// undecodable one is rejected) and the deliveries that ack or reject them.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"
#include "queue/amqp/amqp_broker_impl.h"
#include "queue/amqp/amqp_table.h"

namespace mlprod::queue {

using std::chrono::milliseconds;

AmqpBroker::Impl::Received AmqpBroker::Impl::FromEnvelope(amqp_envelope_t& env) {
  const auto& p = env.message.properties;
  nlohmann::json headers =
      (p._flags & AMQP_BASIC_HEADERS_FLAG) ? AmqpTableToJson(p.headers) : nlohmann::json::object();
  const std::string content_type =
      (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) ? Str(p.content_type) : "";
  std::optional<std::chrono::system_clock::time_point> published;
  if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG) {
    published = std::chrono::system_clock::time_point(std::chrono::seconds(p.timestamp));
  }
  Received r{DecodeTaskMessage(headers, Str(env.message.body), content_type), env.delivery_tag,
             env.redelivered != 0, published};
  amqp_destroy_envelope(&env);
  return r;
}

void AmqpBroker::Impl::DropConsumer() {
  con.reset();
  pending.clear();
}

Status AmqpBroker::Impl::EnsureConsumer() {
  if (con && !con->broken()) return OkStatus();
  DropConsumer();
  auto c = AmqpConnection::Open(endpoint, heartbeat, options.timeout);
  if (!c.ok()) return c.error();
  MLPROD_RETURN_IF_ERROR(DeclareQueue(**c));
  MLPROD_RETURN_IF_ERROR(ApplyPrefetch(**c));
  amqp_basic_consume((*c)->state(), AmqpConnection::kChannel, Bytes(options.queue),
                     amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
  MLPROD_RETURN_IF_ERROR((*c)->CheckRpc("basic.consume"));
  con = std::move(*c);
  if (++con_generation > 1) ++reconnects;
  return OkStatus();
}

int AmqpBroker::Impl::WantedPrefetch() const {
  const long long wanted = static_cast<long long>(options.prefetch) + std::max(0LL, held.load());
  return static_cast<int>(std::clamp<long long>(wanted, 1, 65535));
}

Status AmqpBroker::Impl::ApplyPrefetch(AmqpConnection& c) {
  const int wanted = WantedPrefetch();
  amqp_basic_qos(c.state(), AmqpConnection::kChannel, 0, static_cast<uint16_t>(wanted), 1);
  MLPROD_RETURN_IF_ERROR(c.CheckRpc("basic.qos"));
  if (applied_prefetch != 0 && wanted != applied_prefetch) {
    spdlog::debug("amqp: prefetch {} -> {} ({} held back)", applied_prefetch, wanted, held.load());
  }
  applied_prefetch = wanted;
  return OkStatus();
}

namespace {

class AmqpDelivery final : public Delivery {
 public:
  AmqpDelivery(std::shared_ptr<AmqpBroker::Impl> impl, uint64_t generation, uint64_t tag,
               TaskMessage message, bool redelivered,
               std::optional<std::chrono::system_clock::time_point> published_at)
      : impl_(std::move(impl)),
        generation_(generation),
        tag_(tag),
        message_(std::move(message)),
        redelivered_(redelivered),
        published_at_(published_at) {}
  ~AmqpDelivery() override {
    // Unsettled on a lost connection, the broker redelivers it anyway.
    if (!settled_) IgnoreError("amqp: requeue of an unsettled delivery", Settle(true, true));
  }
  const TaskMessage& message() const override { return message_; }
  bool redelivered() const override { return redelivered_; }
  std::optional<std::chrono::system_clock::time_point> published_at() const override {
    return published_at_;
  }
  Status Ack() override { return Settle(false, false); }
  Status Reject(bool requeue) override { return Settle(true, requeue); }

 private:
  Status Settle(bool reject, bool requeue) {
    if (settled_) {
      return MakeError(ErrorCode::kConflict,
                       "delivery of task " + message_.id + " is already settled");
    }
    settled_ = true;
    MutexLock lock(impl_->con_mu);
    if (!impl_->con || impl_->con->broken() || impl_->con_generation != generation_) {
      return MakeError(ErrorCode::kUnavailable, "amqp connection of task " + message_.id +
                                                    " was lost; the broker will redeliver it");
    }
    const int st = reject ? amqp_basic_reject(impl_->con->state(), AmqpConnection::kChannel, tag_,
                                              requeue ? 1 : 0)
                          : amqp_basic_ack(impl_->con->state(), AmqpConnection::kChannel, tag_, 0);
    return impl_->con->CheckStatus(st, reject ? "basic.reject" : "basic.ack");
  }

  std::shared_ptr<AmqpBroker::Impl> impl_;
  uint64_t generation_;
  uint64_t tag_;
  TaskMessage message_;
  bool redelivered_;
  std::optional<std::chrono::system_clock::time_point> published_at_;
  bool settled_ = false;
};

}  // namespace

Result<std::unique_ptr<Delivery>> AmqpBroker::Next(milliseconds timeout) {
  const auto deadline = SystemClock().SteadyNow() + timeout;
  while (true) {
    if (impl_->closed) return ClosedError();
    MutexLock lock(impl_->con_mu);
    MLPROD_RETURN_IF_ERROR(impl_->EnsureConsumer());
    if (impl_->applied_prefetch != impl_->WantedPrefetch()) {
      if (auto st = impl_->ApplyPrefetch(*impl_->con); !st.ok()) {
        impl_->DropConsumer();
        return st.error();
      }
    }
    Impl::Received got;
    if (!impl_->pending.empty()) {
      got = std::move(impl_->pending.front());
      impl_->pending.pop_front();
    } else {
      // Short slices, so acks from other threads are not held up behind a long wait.
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - SystemClock().SteadyNow());
      timeval tv = ToTimeval(std::clamp(left, milliseconds(1), milliseconds(50)));
      amqp_maybe_release_buffers(impl_->con->state());
      amqp_envelope_t env;
      const amqp_rpc_reply_t r = amqp_consume_message(impl_->con->state(), &env, &tv, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT) {
          lock.Unlock();
          if (SystemClock().SteadyNow() >= deadline) return std::unique_ptr<Delivery>();
          continue;
        }
        Error e =
            impl_->con->Broken("basic.consume", r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                                                    ? amqp_error_string2(r.library_error)
                                                    : "unexpected frame from server");
        impl_->DropConsumer();
        return e;
      }
      got = Impl::FromEnvelope(env);
    }
    if (!got.decoded.ok()) {
      spdlog::error("amqp: rejecting undecodable message (delivery {}): {}", got.tag,
                    got.decoded.error().message);
      const int st = amqp_basic_reject(impl_->con->state(), AmqpConnection::kChannel, got.tag, 0);
      if (auto s = impl_->con->CheckStatus(st, "basic.reject"); !s.ok()) return s.error();
      continue;
    }
    return std::unique_ptr<Delivery>(
        std::make_unique<AmqpDelivery>(impl_, impl_->con_generation, got.tag,
                                       std::move(*got.decoded), got.redelivered, got.published));
  }
}

void AmqpBroker::AddHeld(long long delta) { impl_->held += delta; }

}  // namespace mlprod::queue
