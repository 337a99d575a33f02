#include "queue/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <charconv>
#include <optional>

#include "common/url.h"

namespace mlprod::queue {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply Copy(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// Takes ownership of a hiredis reply; error replies become errors.
Result<RedisReply> Own(redisReply* r) {
  std::unique_ptr<redisReply, void (*)(void*)> holder(r, freeReplyObject);
  if (r->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kInternal, "redis error: " + std::string(r->str, r->len));
  }
  return Copy(r);
}

Status AppendArgv(redisContext* ctx, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data()) !=
      REDIS_OK) {
    return MakeError(ErrorCode::kInternal, "redis: cannot format command");
  }
  return OkStatus();
}

}  // namespace

Result<RedisEndpoint> ParseRedisUrl(std::string_view text) {
  auto parsed = ParseUrl(text);
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid Redis URL: " + parsed.error().message +
                                                      " (expected redis://host[:port][/db])");
  }
  const Url& u = *parsed;
  auto bad = [&](std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "invalid Redis URL '" + FormatUrl(u, /*redact_password=*/true) + "': " + std::string(why));
  };
  if (u.scheme == "rediss") {
    return bad(
        "rediss:// (TLS) is not supported; use redis:// on a trusted network or a TLS tunnel");
  }
  if (u.scheme != "redis") return bad("expected redis://host[:port][/db]");
  RedisEndpoint ep;
  if (!u.host.empty()) ep.host = u.host;
  if (u.port) ep.port = *u.port;
  if (u.user && !u.password) {
    return bad(
        "user info without ':' is ambiguous; write redis://:password@host (default user) "
        "or redis://user:password@host (ACL user)");
  }
  if (u.password) {
    ep.user = u.user.value_or("");
    ep.password = *u.password;
  }
  if (u.path.size() > 1) {
    const std::string_view db = std::string_view(u.path).substr(1);
    auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), ep.db);
    if (ec != std::errc() || p != db.data() + db.size() || ep.db < 0) return bad("bad db number");
  }
  if (!u.query.empty()) return bad("query parameters are not supported");
  return ep;
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Connect(const RedisEndpoint& ep,
                                                                  std::chrono::milliseconds timeout,
                                                                  const std::string& address) {
  const std::string& target = address.empty() ? ep.host : address;
  redisContext* ctx = redisConnectWithTimeout(target.c_str(), ep.port, ToTimeval(timeout));
  const std::string where = "redis " + ep.host + ":" + std::to_string(ep.port);
  if (ctx == nullptr) return MakeError(ErrorCode::kUnavailable, where + ": out of memory");
  std::unique_ptr<RedisConnection> conn(new RedisConnection(ctx));
  if (ctx->err) {
    return MakeError(ErrorCode::kUnavailable, where + ": cannot connect: " + ctx->errstr);
  }
  if (redisSetTimeout(ctx, ToTimeval(timeout)) != REDIS_OK) {
    return MakeError(ErrorCode::kUnavailable, where + ": cannot set timeout");
  }
  if (!ep.password.empty()) {
    // Redis 6 ACL users: AUTH user password; the default user: AUTH password.
    auto r = ep.user.empty() ? conn->Command({"AUTH", ep.password})
                             : conn->Command({"AUTH", ep.user, ep.password});
    if (!r.ok()) return MakeError(ErrorCode::kUnauthenticated, where + ": " + r.error().message);
  }
  if (ep.db != 0) {
    auto r = conn->Command({"SELECT", std::to_string(ep.db)});
    if (!r.ok()) return MakeError(r.error().code, where + ": " + r.error().message);
  }
  return conn;
}

RedisConnection::~RedisConnection() { redisFree(ctx_); }

Error RedisConnection::IoError(std::string_view what) {
  broken_ = true;
  return MakeError(ErrorCode::kUnavailable, "redis " + std::string(what) + ": " +
                                                (ctx_->err ? ctx_->errstr : "connection lost"));
}

Result<RedisReply> RedisConnection::Command(const std::vector<std::string>& argv) {
  auto replies = Pipeline({argv});
  if (!replies.ok()) return replies.error();
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (broken_) return IoError("pipeline");
  for (const auto& argv : commands) MLPROD_RETURN_IF_ERROR(AppendArgv(ctx_, argv));
  std::vector<RedisReply> out;
  std::optional<Error> first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return IoError(commands[i][0]);
    auto r = Own(static_cast<redisReply*>(raw));
    if (!r.ok()) {
      // Keep reading so the connection stays in step with the server.
      if (!first_error) first_error = r.error();
      continue;
    }
    out.push_back(std::move(*r));
  }
  if (first_error) return *first_error;
  return out;
}

Status RedisConnection::Send(const std::vector<std::string>& argv) {
  if (broken_) return IoError("send");
  MLPROD_RETURN_IF_ERROR(AppendArgv(ctx_, argv));
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) return IoError("send");
  }
  return OkStatus();
}

Result<RedisReply> RedisConnection::ReadPush(std::chrono::milliseconds wait) {
  if (broken_) return IoError("read");
  void* raw = nullptr;
  if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return IoError("read");
  if (raw == nullptr) {
    pollfd pfd{ctx_->fd, POLLIN, 0};
    const int n = poll(&pfd, 1, static_cast<int>(wait.count()));
    if (n < 0) return IoError("poll");
    if (n == 0) return RedisReply{};
    if (redisBufferRead(ctx_) != REDIS_OK) return IoError("read");
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return IoError("read");
    if (raw == nullptr) return RedisReply{};
  }
  return Own(static_cast<redisReply*>(raw));
}

}  // namespace mlprod::queue
