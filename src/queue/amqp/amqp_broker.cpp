// The AMQP broker's connection lifecycle: creation (URL check, origin), the heartbeat keeper
// that services idle connections, the queue declaration both connections make, Ping and Close.
// Publishing is in amqp_publish.cpp, consuming in amqp_consume.cpp.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "queue/amqp/amqp_broker_impl.h"

namespace mlprod::queue {
namespace {

using std::chrono::milliseconds;

std::string DefaultOrigin() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::to_string(getpid()) + "@" + host;
}

}  // namespace

void AmqpBroker::Impl::ServiceHeartbeats() {
  if (con_mu.try_lock()) {
    MutexLock lock(con_mu, std::adopt_lock);
    if (con && !con->broken()) {
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
  }
  if (pub_mu.try_lock()) {
    MutexLock lock(pub_mu, std::adopt_lock);
    if (pub && !pub->broken()) {
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
}

void AmqpBroker::Impl::KeepAlive() {
  // Three passes per interval: the broker drops a peer after two silent intervals.
  const auto every = std::max<std::chrono::milliseconds>(heartbeat / 3, milliseconds(200));
  MutexLock lock(keeper_mu);
  while (!closed) {
    keeper_cv.wait_for(lock.native(), every,
                       [this]() MLPROD_REQUIRES(keeper_mu) { return closed.load(); });
    if (closed) break;
    lock.Unlock();
    ServiceHeartbeats();
    lock.Lock();
  }
}

Status AmqpBroker::Impl::DeclareQueue(AmqpConnection& c) {
  amqp_queue_declare(c.state(), AmqpConnection::kChannel, Bytes(options.queue), 0, 1, 0, 0,
                     amqp_empty_table);
  return c.CheckRpc("queue.declare " + options.queue);
}

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

Status AmqpBroker::Ping() {
  if (impl_->closed) return ClosedError();
  MutexLock lock(impl_->pub_mu);
  return impl_->EnsurePublisher();
}

void AmqpBroker::Close() {
  {
    MutexLock lock(impl_->keeper_mu);
    impl_->closed = true;
  }
  impl_->keeper_cv.notify_all();
  if (impl_->keeper.joinable()) impl_->keeper.join();
  {
    MutexLock lock(impl_->con_mu);
    impl_->DropConsumer();
  }
  MutexLock lock(impl_->pub_mu);
  impl_->pub.reset();
}

}  // namespace mlprod::queue
