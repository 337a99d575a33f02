#include "queue/amqp/amqp_broker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "queue/amqp/amqp_connection.h"
#include "queue/amqp/amqp_table.h"
#include "queue/celery_codec.h"
#include "queue/celery_time.h"

namespace mlprod::queue {
namespace {

using std::chrono::milliseconds;

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
std::string Str(const amqp_bytes_t& b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}
timeval ToTimeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string DefaultOrigin() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::to_string(getpid()) + "@" + host;
}

}  // namespace

struct AmqpBroker::Impl {
  AmqpBrokerOptions options;
  AmqpEndpoint endpoint;
  std::atomic<bool> closed{false};

  std::mutex pub_mu;
  std::unique_ptr<AmqpConnection> pub;
  uint64_t pub_seq = 0;  // publisher-confirm sequence of the last publish on `pub`

  std::mutex con_mu;
  std::unique_ptr<AmqpConnection> con;
  uint64_t con_generation = 0;  // delivery tags are only valid on the connection they came from
  bool pub_opened = false;      // a publisher connection existed before (the next is a reconnect)
  std::atomic<long long> held{0};  // deliveries the consumer holds back (AddHeld)
  int applied_prefetch = 0;        // basic.qos prefetch_count in force on `con`
  std::atomic<long long> reconnects{0};

  // A message read off the consumer connection, decoded or not.
  struct Received {
    Result<TaskMessage> decoded = MakeError(ErrorCode::kInternal, "nothing received");
    uint64_t tag = 0;
    bool redelivered = false;
    std::optional<std::chrono::system_clock::time_point> published;
  };
  // Messages the heartbeat keeper read while no thread was in Next (guarded by con_mu; only
  // valid on the connection of generation con_generation, cleared when it is replaced).
  std::deque<Received> pending;

  // The heartbeat keeper: rabbitmq-c sends and checks heartbeats only inside library calls, so
  // while every worker thread runs a long task (and a publisher sits idle) this thread touches
  // each idle connection a few times per heartbeat interval.
  std::chrono::seconds heartbeat{0};
  std::thread keeper;
  std::mutex keeper_mu;
  std::condition_variable keeper_cv;

  static Received FromEnvelope(amqp_envelope_t& env) {
    const auto& p = env.message.properties;
    nlohmann::json headers = (p._flags & AMQP_BASIC_HEADERS_FLAG) ? AmqpTableToJson(p.headers)
                                                                  : nlohmann::json::object();
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

  void DropConsumer() {
    con.reset();
    pending.clear();
  }

  // One pass over both connections: reads what is waiting (without blocking), which lets
  // rabbitmq-c send a due heartbeat and notice a dead peer. Skips a connection in use.
  void ServiceHeartbeats() {
    if (std::unique_lock lock(con_mu, std::try_to_lock); lock && con && !con->broken()) {
      while (true) {
        timeval tv{};
        amqp_maybe_release_buffers(con->state());
        amqp_envelope_t env;
        const amqp_rpc_reply_t r = amqp_consume_message(con->state(), &env, &tv, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
          pending.push_back(FromEnvelope(env));
          continue;
        }
        if (r.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
            r.library_error != AMQP_STATUS_TIMEOUT) {
          spdlog::warn("amqp: consumer connection lost while idle: {}",
                       r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                           ? amqp_error_string2(r.library_error)
                           : "unexpected frame from server");
          DropConsumer();
        }
        break;
      }
    }
    if (std::unique_lock lock(pub_mu, std::try_to_lock); lock && pub && !pub->broken()) {
      while (true) {
        timeval tv{};
        amqp_frame_t frame;
        const int w = amqp_simple_wait_frame_noblock(pub->state(), &frame, &tv);
        if (w == AMQP_STATUS_TIMEOUT) break;
        if (w != AMQP_STATUS_OK) {
          // The next Publish opens a fresh connection.
          spdlog::warn("amqp: publisher connection lost while idle: {}", amqp_error_string2(w));
          pub.reset();
          break;
        }
        // Late confirms are of publishes already settled; a close ends the connection.
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
          pub.reset();
          break;
        }
      }
      if (pub) amqp_maybe_release_buffers(pub->state());
    }
  }

  void KeepAlive() {
    // Three passes per interval: the broker drops a peer after two silent intervals.
    const auto every = std::max<std::chrono::milliseconds>(heartbeat / 3, milliseconds(200));
    std::unique_lock lock(keeper_mu);
    while (!closed) {
      keeper_cv.wait_for(lock, every, [this] { return closed.load(); });
      if (closed) break;
      lock.unlock();
      ServiceHeartbeats();
      lock.lock();
    }
  }

  Status DeclareQueue(AmqpConnection& c) {
    amqp_queue_declare(c.state(), AmqpConnection::kChannel, Bytes(options.queue), 0, 1, 0, 0,
                       amqp_empty_table);
    return c.CheckRpc("queue.declare " + options.queue);
  }

  Status EnsurePublisher() {
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

  Status EnsureConsumer() {
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

  // The window Celery would use: the configured prefetch plus one per held delivery.
  int WantedPrefetch() const {
    const long long wanted = static_cast<long long>(options.prefetch) + std::max(0LL, held.load());
    return static_cast<int>(std::clamp<long long>(wanted, 1, 65535));
  }

  // basic.qos for the channel (global: RabbitMQ then counts the channel's unacked deliveries and
  // applies a change at once, to the running consumer too, as Celery uses it with RabbitMQ).
  // Deliveries arriving during the RPC are queued by rabbitmq-c for the next consume.
  Status ApplyPrefetch(AmqpConnection& c) {
    const int wanted = WantedPrefetch();
    amqp_basic_qos(c.state(), AmqpConnection::kChannel, 0, static_cast<uint16_t>(wanted), 1);
    MLPROD_RETURN_IF_ERROR(c.CheckRpc("basic.qos"));
    if (applied_prefetch != 0 && wanted != applied_prefetch) {
      spdlog::debug("amqp: prefetch {} -> {} ({} held back)", applied_prefetch, wanted,
                    held.load());
    }
    applied_prefetch = wanted;
    return OkStatus();
  }

  // Publishes on `pub` and waits for the broker's confirm.
  Status PublishOnce(const CeleryEnvelope& env) {
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
    props.timestamp = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
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
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
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
};

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
    if (!settled_) (void)Settle(true, true);
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
    std::lock_guard lock(impl_->con_mu);
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

Error ClosedError() { return MakeError(ErrorCode::kUnavailable, "amqp broker is closed"); }

}  // namespace

AmqpBroker::AmqpBroker(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<AmqpBroker>> AmqpBroker::Create(AmqpBrokerOptions options) {
  auto ep = ParseAmqpUrl(options.url);
  if (!ep.ok()) return ep.error();
  if (options.queue.empty()) options.queue = "celery";
  if (options.origin.empty()) options.origin = DefaultOrigin();
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->endpoint = *ep;
  impl->heartbeat = ep->heartbeat.value_or(impl->options.heartbeat);
  if (impl->heartbeat.count() > 0)
    impl->keeper = std::thread([raw = impl.get()] { raw->KeepAlive(); });
  return std::unique_ptr<AmqpBroker>(new AmqpBroker(std::move(impl)));
}

AmqpBroker::~AmqpBroker() { Close(); }

long long AmqpBroker::Reconnects() const { return impl_->reconnects.load(); }

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
  const CeleryEnvelope env = EncodeTaskMessage(m, std::chrono::system_clock::now());
  std::lock_guard lock(impl_->pub_mu);
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

Result<std::unique_ptr<Delivery>> AmqpBroker::Next(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (impl_->closed) return ClosedError();
    std::unique_lock lock(impl_->con_mu);
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
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      timeval tv = ToTimeval(std::clamp(left, milliseconds(1), milliseconds(50)));
      amqp_maybe_release_buffers(impl_->con->state());
      amqp_envelope_t env;
      const amqp_rpc_reply_t r = amqp_consume_message(impl_->con->state(), &env, &tv, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT) {
          lock.unlock();
          if (std::chrono::steady_clock::now() >= deadline) return std::unique_ptr<Delivery>();
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

long long AmqpBroker::Depth() {
  std::lock_guard lock(impl_->pub_mu);
  if (!impl_->EnsurePublisher().ok()) return -1;
  auto* ok = amqp_queue_declare(impl_->pub->state(), AmqpConnection::kChannel,
                                Bytes(impl_->options.queue), 1, 1, 0, 0, amqp_empty_table);
  if (!impl_->pub->CheckRpc("queue.declare (passive)").ok() || ok == nullptr) return -1;
  return ok->message_count;
}

Status AmqpBroker::Ping() {
  if (impl_->closed) return ClosedError();
  std::lock_guard lock(impl_->pub_mu);
  return impl_->EnsurePublisher();
}

void AmqpBroker::Close() {
  {
    std::lock_guard lock(impl_->keeper_mu);
    impl_->closed = true;
  }
  impl_->keeper_cv.notify_all();
  if (impl_->keeper.joinable()) impl_->keeper.join();
  {
    std::lock_guard lock(impl_->con_mu);
    impl_->DropConsumer();
  }
  std::lock_guard lock(impl_->pub_mu);
  impl_->pub.reset();
}

}  // namespace mlprod::queue
