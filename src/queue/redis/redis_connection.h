// One synchronous Redis connection (hiredis) with deadlines on connect and on every command,
// and the redis:// URL parser. Not a pool, not thread-safe: one thread uses a connection at a
// time (RedisResultBackend keeps a pool of them).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct redisContext;

namespace mlprod::queue {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // ACL user (Redis 6+); empty = the default user
  std::string password;  // empty = no AUTH
  int db = 0;
};

// redis://[[user]:password@]host[:port][/db] with the shared URL parser (common/url.h); host may
// be an [IPv6] literal. `user:pw@` authenticates as an ACL user (AUTH user pw), `:pw@` as the
// default user (AUTH pw). rediss:// (TLS) and unix sockets are refused, as is a user without a
// password and any query parameter.
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

// A reply copied out of hiredis, so no hiredis type leaks into callers.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus };
  Type type = Type::kNil;
  std::string str;  // kString / kStatus
  long long integer = 0;
  std::vector<RedisReply> elements;
};

class RedisConnection {
 public:
  // Connects to `address` (a numeric address `endpoint.host` resolved to) when given, else to
  // endpoint.host; errors name endpoint.host either way.
  static Result<std::unique_ptr<RedisConnection>> Connect(const RedisEndpoint& endpoint,
                                                          std::chrono::milliseconds timeout,
                                                          const std::string& address = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. A Redis error reply is kInternal; an I/O error or timeout is kUnavailable
  // and leaves the connection broken (see broken()).
  Result<RedisReply> Command(const std::vector<std::string>& argv);
  // Sends all commands, then reads all replies (one round trip, like redis-py's pipeline).
  Result<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  // Pub/sub: sends a command without waiting, and reads one pushed message, waiting at most
  // `wait`; ok(nullopt-like kNil reply with empty elements) on timeout.
  Status Send(const std::vector<std::string>& argv);
  Result<RedisReply> ReadPush(std::chrono::milliseconds wait);

  bool broken() const { return broken_; }

 private:
  explicit RedisConnection(redisContext* ctx) : ctx_(ctx) {}
  Error IoError(std::string_view what);

  redisContext* ctx_;
  bool broken_ = false;
};

}  // namespace mlprod::queue
