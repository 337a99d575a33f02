#include "queue/amqp/amqp_connection.h"

#include <amqp_tcp_socket.h>

#include <string>

namespace mlprod::queue {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string ServerError(const amqp_rpc_reply_t& r) {
  if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
    return "connection closed by server: " + std::to_string(m->reply_code) + " " +
           std::string(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len);
  }
  if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
    return "channel closed by server: " + std::to_string(m->reply_code) + " " +
           std::string(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len);
  }
  return "unexpected server method " + std::to_string(r.reply.id);
}

}  // namespace

AmqpConnection::AmqpConnection() : state_(amqp_new_connection()) {}

AmqpConnection::~AmqpConnection() {
  if (logged_in_ && !broken_) {
    amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(state_);
}

Error AmqpConnection::Broken(std::string_view what, std::string_view detail) {
  broken_ = true;
  return MakeError(ErrorCode::kUnavailable,
                   "amqp " + std::string(what) + " failed: " + std::string(detail));
}

Status AmqpConnection::CheckStatus(int status, std::string_view what) {
  if (status == AMQP_STATUS_OK) return OkStatus();
  if (status == AMQP_STATUS_TIMEOUT) {
    broken_ = true;
    return MakeError(ErrorCode::kDeadlineExceeded, "amqp " + std::string(what) + " timed out");
  }
  return Broken(what, amqp_error_string2(status));
}

Status AmqpConnection::CheckRpc(std::string_view what) {
  const amqp_rpc_reply_t r = amqp_get_rpc_reply(state_);
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return OkStatus();
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return CheckStatus(r.library_error, what);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      return Broken(what, ServerError(r));
    default:
      return Broken(what, "no reply");
  }
}

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::Open(const AmqpEndpoint& ep,
                                                             std::chrono::seconds heartbeat,
                                                             std::chrono::milliseconds timeout) {
  std::unique_ptr<AmqpConnection> c(new AmqpConnection());
  const std::string where = "amqp " + ep.host + ":" + std::to_string(ep.port);
  if (c->state_ == nullptr) return MakeError(ErrorCode::kInternal, where + ": out of memory");
  amqp_socket_t* socket = amqp_tcp_socket_new(c->state_);
  if (socket == nullptr) return MakeError(ErrorCode::kInternal, where + ": cannot create socket");
  timeval tv = ToTimeval(timeout);
  if (int st = amqp_socket_open_noblock(socket, ep.host.c_str(), ep.port, &tv);
      st != AMQP_STATUS_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     where + ": cannot connect: " + amqp_error_string2(st));
  }
  if (amqp_set_rpc_timeout(c->state_, &tv) != AMQP_STATUS_OK) {
    return MakeError(ErrorCode::kInternal, where + ": cannot set the RPC timeout");
  }
  const amqp_rpc_reply_t login =
      amqp_login(c->state_, ep.vhost.c_str(), 0, 131072, static_cast<int>(heartbeat.count()),
                 AMQP_SASL_METHOD_PLAIN, ep.user.c_str(), ep.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    const bool auth = login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                      login.library_error == AMQP_STATUS_CONNECTION_CLOSED;
    return MakeError(auth ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable,
                     where + ": login as '" + ep.user + "' on vhost '" + ep.vhost + "' failed" +
                         (login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                              ? std::string(": ") + amqp_error_string2(login.library_error)
                              : std::string()));
  }
  c->logged_in_ = true;
  amqp_channel_open(c->state_, kChannel);
  MLPROD_RETURN_IF_ERROR(c->CheckRpc("channel.open"));
  return c;
}

}  // namespace mlprod::queue
