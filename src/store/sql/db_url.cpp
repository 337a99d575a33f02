#include "store/sql/db_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "common/url.h"

namespace mlprod::store {
namespace {

// The URL is not repeated: it may hold a password.
Error Bad(std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "invalid database URL: " + std::string(why) +
                       " (expected sqlite:///path.db, sqlite::memory: or "
                       "postgresql://user:pass@host:port/db)");
}

bool IsMemory(std::string_view rest) { return rest == ":memory:" || rest.empty(); }

// libpq checks ports only when it connects; a typo should fail at start-up instead.
bool ValidPorts(std::string_view ports) {
  while (true) {
    const auto comma = ports.find(',');
    const std::string_view p = ports.substr(0, comma);
    if (!p.empty()) {
      if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string_view::npos) return false;
      const int v = std::stoi(std::string(p));
      if (v < 1 || v > 65535) return false;
    }
    if (comma == std::string_view::npos) return true;
    ports.remove_prefix(comma + 1);
  }
}

// The URI with any password replaced by "***" (libpq quotes the whole URI in some errors).
std::string Redact(std::string_view uri) {
  const auto start = uri.find("://");
  if (start == std::string_view::npos) return std::string(uri);
  const auto end = uri.find_first_of("/?", start + 3);
  const std::string_view authority = uri.substr(start + 3, end - (start + 3));
  const auto at = authority.rfind('@');
  const auto colon = authority.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
    return std::string(uri);
  }
  return std::string(uri.substr(0, start + 3 + colon + 1)) + "***" +
         std::string(uri.substr(start + 3 + at));
}

// libpq's own URI parser (PQconninfoParse): IPv6 literals, multi-host lists, %-escapes and
// every query parameter libpq knows, exactly as psql would read them.
Result<DbTarget> ParsePostgres(std::string_view rest) {
  const std::string uri = "postgresql://" + std::string(rest);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (auto pos = why.find(uri); pos != std::string::npos; pos = why.find(uri, pos + 1)) {
      why.replace(pos, uri.size(), Redact(uri));
    }
    return Bad(why);
  }
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> holder(opts, PQconninfoFree);
  DbTarget t;
  t.backend = Backend::kPostgres;
  for (const PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    std::string v = o->val;
    if (k == "host") {
      t.host = std::move(v);
    } else if (k == "port") {
      t.port = std::move(v);
    } else if (k == "user") {
      t.user = std::move(v);
    } else if (k == "password") {
      t.password = std::move(v);
    } else if (k == "dbname") {
      t.dbname = std::move(v);
    } else {
      t.params.emplace_back(std::string(k), std::move(v));
    }
  }
  if (!ValidPorts(t.port)) return Bad("port must be a number 1..65535");
  return t;
}

std::string Quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<DbTarget> ParseDatabaseUrl(std::string_view url) {
  if (url.empty()) return Bad("empty");
  const auto scheme_end = url.find(':');
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view() : url.substr(0, scheme_end);
  if (scheme == "postgresql" || scheme == "postgres" || scheme.starts_with("postgresql+")) {
    if (url.substr(scheme_end).substr(0, 3) != "://") return Bad("expected '://'");
    return ParsePostgres(url.substr(scheme_end + 3));
  }
  DbTarget t;
  if (scheme == "sqlite" || scheme == "sqlite3") {
    std::string_view rest = url.substr(scheme_end + 1);
    if (rest.starts_with("//")) rest.remove_prefix(2);
    if (IsMemory(rest)) {
      t.in_memory = true;
      t.path = ":memory:";
      return t;
    }
    // sqlite:///abs/path.db keeps its leading '/', sqlite://rel.db stays relative.
    auto p = PercentDecode(rest);
    if (!p.ok()) return Bad(p.error().message);
    t.path = *p;
    return t;
  }
  if (url == ":memory:") {
    t.in_memory = true;
    t.path = ":memory:";
    return t;
  }
  if (url.find("://") != std::string_view::npos) {
    return Bad("unknown scheme '" + std::string(scheme) + "'");
  }
  t.path = std::string(url);  // a plain file path
  return t;
}

std::string DbTarget::Describe() const {
  if (backend == Backend::kSqlite) return "sqlite://" + path;
  std::string s = "postgresql://";
  if (!user.empty()) s += user + (password.empty() ? "@" : ":***@");
  // host and port are parallel comma-separated lists (libpq multi-host).
  std::string_view hosts = host, ports = port;
  for (bool first = true; first || !hosts.empty() || !ports.empty(); first = false) {
    const auto hc = hosts.find(','), pc = ports.find(',');
    const std::string_view h = hosts.substr(0, hc), p = ports.substr(0, pc);
    hosts = hc == std::string_view::npos ? std::string_view() : hosts.substr(hc + 1);
    ports = pc == std::string_view::npos ? std::string_view() : ports.substr(pc + 1);
    if (!first) s += ',';
    s += h.find(':') != std::string_view::npos ? "[" + std::string(h) + "]" : std::string(h);
    if (!p.empty()) s += ":" + std::string(p);
  }
  return s + "/" + dbname;
}

std::string PostgresConnectString(const DbTarget& target, std::chrono::milliseconds connect_timeout,
                                  std::chrono::milliseconds statement_timeout) {
  std::string s;
  auto add = [&s](std::string_view k, std::string_view v) {
    if (v.empty()) return;
    if (!s.empty()) s += ' ';
    s += std::string(k) + "=" + Quote(v);
  };
  add("host", target.host);
  add("port", target.port);
  add("dbname", target.dbname);
  add("user", target.user);
  add("password", target.password);
  // libpq counts whole seconds and treats values below 2 as 2.
  const auto connect_s = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(connect_timeout).count());
  add("connect_timeout", std::to_string(connect_s));
  // A peer that vanished without closing must not hang a call forever.
  add("tcp_user_timeout", std::to_string(connect_timeout.count()));
  add("keepalives", "1");
  add("keepalives_idle", "10");
  // random_page_cost 1.1 (SSD-like, instead of 4): otherwise, once `locations` has statistics,
  // PostgreSQL looks single locations up by scanning that small table instead of its key.
  const std::string session_options =
      "-c TimeZone=UTC -c DateStyle=ISO -c client_min_messages=warning -c random_page_cost=1.1 "
      "-c statement_timeout=" +
      std::to_string(statement_timeout.count());
  add("options", session_options);
  bool has_app = false;
  for (const auto& [k, v] : target.params) {
    // The URL's own options come after ours, so its -c settings win and ours still apply.
    add(k, k == "options" ? session_options + " " + v : v);
    has_app = has_app || k == "application_name";
  }
  if (!has_app) add("application_name", "mlprod");
  return s;
}

}  // namespace mlprod::store
