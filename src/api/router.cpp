#include "api/router.h"

#include <boost/beast/http/verb.hpp>
#include <cstdio>
#include <cstdlib>

namespace mlprod::api {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "fatal: router: %s\n", message.c_str());
  std::abort();
}

std::string_view StripTrailingSlash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// "/a/{x}/" and "/a/{y}" are the same path: placeholder names and a trailing slash do not count.
std::string PathKey(std::string_view t) {
  t = StripTrailingSlash(t);
  std::string key;
  bool in_param = false;
  for (char c : t) {
    if (c == '{') {
      in_param = true;
      key += "{}";
    } else if (c == '}') {
      in_param = false;
    } else if (!in_param) {
      key += c;
    }
  }
  return key;
}

}  // namespace

std::vector<Router::Segment> Router::Split(std::string_view t) {
  if (t.empty() || t.front() != '/') Die("template must start with '/': " + std::string(t));
  t = StripTrailingSlash(t);
  std::vector<Segment> out;
  if (t == "/") return out;
  t.remove_prefix(1);
  std::size_t params = 0;
  while (true) {
    const auto slash = t.find('/');
    const std::string_view seg = t.substr(0, slash);
    if (seg.empty()) Die("empty segment in template");
    if (seg.front() == '{') {
      if (seg.back() != '}' || seg.size() < 3) Die("bad placeholder: " + std::string(seg));
      out.push_back({std::string(seg), true});
      ++params;
    } else {
      out.push_back({std::string(seg), false});
    }
    if (slash == std::string_view::npos) break;
    t.remove_prefix(slash + 1);
  }
  if (params > 2) Die("more than two placeholders");
  return out;
}

void Router::Add(Verb method, std::string path_template, SyncHandler handler, Exec exec) {
  if (exec == Exec::kAsync) Die("use AddAsync for coroutine handlers");
  Route r;
  r.method = method;
  r.path_template = std::move(path_template);
  r.exec = exec;
  r.sync = std::move(handler);
  AddRoute(std::move(r));
}

void Router::AddAsync(Verb method, std::string path_template, AsyncHandler handler) {
  Route r;
  r.method = method;
  r.path_template = std::move(path_template);
  r.exec = Exec::kAsync;
  r.async = std::move(handler);
  AddRoute(std::move(r));
}

void Router::AddRoute(Route route) {
  route.id = static_cast<std::uint32_t>(routes_.size());
  const std::string key = PathKey(route.path_template);
  Path* path = nullptr;
  for (auto& p : paths_) {
    if (PathKey(p.path_template) == key) path = &p;
  }
  if (path == nullptr) {
    paths_.push_back({route.path_template, Split(route.path_template), {}, {}});
    path = &paths_.back();
  }
  for (std::size_t i : path->route_indexes) {
    if (routes_[i].method == route.method) Die("duplicate route " + route.path_template);
  }
  path->route_indexes.push_back(routes_.size());
  if (!path->allow.empty()) path->allow += ", ";
  path->allow += std::string(boost::beast::http::to_string(route.method));
  routes_.push_back(std::move(route));
}

Match Router::Find(Verb method, std::string_view path) const {
  Match m;
  path = StripTrailingSlash(path);
  if (path.empty() || path.front() != '/') return m;
  for (const Path& p : paths_) {
    std::string_view rest = path.substr(1);
    std::size_t n = 0;
    bool ok = true;
    if (p.segments.empty()) {
      ok = rest.empty();
    } else {
      for (std::size_t i = 0; i < p.segments.size(); ++i) {
        const auto slash = rest.find('/');
        const std::string_view seg = rest.substr(0, slash);
        const bool last = i + 1 == p.segments.size();
        if (seg.empty() || (last != (slash == std::string_view::npos))) {
          ok = false;
          break;
        }
        if (p.segments[i].param) {
          m.params[n++] = seg;
        } else if (seg != p.segments[i].literal) {
          ok = false;
          break;
        }
        if (!last) rest.remove_prefix(slash + 1);
      }
    }
    if (!ok) continue;
    m.path_known = true;
    m.allow = p.allow;
    m.path_template = p.path_template;
    m.path_route_id = static_cast<std::uint32_t>(p.route_indexes.front());
    m.param_count = n;
    for (std::size_t i : p.route_indexes) {
      if (routes_[i].method == method) {
        m.route = &routes_[i];
        return m;
      }
    }
    return m;
  }
  m.param_count = 0;
  return m;
}

}  // namespace mlprod::api
