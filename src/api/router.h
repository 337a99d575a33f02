// Method + path-template routing (`/inference/status/{task_id}`): exact segment matching over a
// small table, no regex. The matched template, never the raw path, is what metrics record.
// Not a server. Build once, then Match is const and thread-safe.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"

namespace mlprod::api {

using SyncHandler = std::function<Response(const Request&)>;
using AsyncHandler = std::function<boost::asio::awaitable<Response>(const Request&)>;

// How the server runs a handler.
enum class Exec {
  kInline,    // cheap and non-blocking: run on the I/O thread
  kBlocking,  // does store/broker I/O: run on the blocking pool
  kAsync,     // a coroutine that manages its own waiting (long polling)
};

struct Route {
  std::uint32_t id = 0;  // dense, stable: metrics cache key
  Verb method = Verb::get;
  std::string path_template;
  Exec exec = Exec::kInline;
  SyncHandler sync;
  AsyncHandler async;
};

struct Match {
  const Route* route = nullptr;     // set when method and path matched
  bool path_known = false;          // the path matched some route (405 when route is null)
  std::string_view allow;           // the path's methods, e.g. "GET, PUT"
  std::string_view path_template;   // of the matched path (also for 405)
  std::uint32_t path_route_id = 0;  // id of the path's first route (metrics key for 405)
  std::array<std::string_view, 2> params{};
  std::size_t param_count = 0;
};

class Router {
 public:
  // Aborts on a malformed template or a duplicate (method, template): both are programming
  // errors. At most two {placeholders} per template.
  void Add(Verb method, std::string path_template, SyncHandler handler, Exec exec = Exec::kInline);
  void AddAsync(Verb method, std::string path_template, AsyncHandler handler);

  // A trailing slash is not significant ("/inference/select" == "/inference/select/").
  Match Find(Verb method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string literal;
    bool param = false;
  };
  struct Path {
    std::string path_template;
    std::vector<Segment> segments;
    std::vector<std::size_t> route_indexes;
    std::string allow;
  };
  void AddRoute(Route route);
  static std::vector<Segment> Split(std::string_view path_template);

  std::vector<Route> routes_;
  std::vector<Path> paths_;
};

}  // namespace mlprod::api
