#include "store/db_url.h"

#include <algorithm>

namespace mlprod::store {
namespace {

Error Bad(std::string_view url, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "invalid database URL '" + std::string(url) + "': " + std::string(why) +
                       " (expected sqlite:///path.db, sqlite::memory: or "
                       "postgresql://user:pass@host:port/db)");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding, so passwords with '@' or ':' can be written as %40 / %3A.
Result<std::string> Decode(std::string_view url, std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return Bad(url, "truncated %-escape");
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return Bad(url, "bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsMemory(std::string_view rest) { return rest == ":memory:" || rest.empty(); }

Result<DbTarget> ParsePostgres(std::string_view url, std::string_view rest) {
  DbTarget t;
  t.backend = Backend::kPostgres;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::string_view user = userinfo, pass;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      pass = userinfo.substr(colon + 1);
    }
    auto u = Decode(url, user);
    if (!u.ok()) return u.error();
    auto p = Decode(url, pass);
    if (!p.ok()) return p.error();
    t.user = *u;
    t.password = *p;
  }
  std::string_view host = authority;
  if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    t.port = std::string(authority.substr(colon + 1));
    if (t.port.empty() || !std::all_of(t.port.begin(), t.port.end(), ::isdigit)) {
      return Bad(url, "port must be a number");
    }
  }
  auto h = Decode(url, host);
  if (!h.ok()) return h.error();
  t.host = *h;
  auto db = Decode(url, path);
  if (!db.ok()) return db.error();
  t.dbname = *db;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) return Bad(url, "query parameters must be k=v");
    auto v = Decode(url, kv.substr(eq + 1));
    if (!v.ok()) return v.error();
    t.params.emplace_back(std::string(kv.substr(0, eq)), *v);
  }
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
  if (url.empty()) return Bad(url, "empty");
  const auto scheme_end = url.find(':');
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view() : url.substr(0, scheme_end);
  if (scheme == "postgresql" || scheme == "postgres" || scheme.starts_with("postgresql+")) {
    if (url.substr(scheme_end).substr(0, 3) != "://") return Bad(url, "expected '://'");
    return ParsePostgres(url, url.substr(scheme_end + 3));
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
    auto p = Decode(url, rest);
    if (!p.ok()) return p.error();
    t.path = *p;
    return t;
  }
  if (url == ":memory:") {
    t.in_memory = true;
    t.path = ":memory:";
    return t;
  }
  if (url.find("://") != std::string_view::npos) {
    return Bad(url, "unknown scheme '" + std::string(scheme) + "'");
  }
  t.path = std::string(url);  // a plain file path
  return t;
}

std::string DbTarget::Describe() const {
  if (backend == Backend::kSqlite) return "sqlite://" + path;
  std::string s = "postgresql://";
  if (!user.empty()) s += user + (password.empty() ? "@" : ":***@");
  s += host + (port.empty() ? "" : ":" + port) + "/" + dbname;
  return s;
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
  add("options",
      "-c TimeZone=UTC -c DateStyle=ISO -c client_min_messages=warning -c random_page_cost=1.1 "
      "-c statement_timeout=" +
          std::to_string(statement_timeout.count()));
  bool has_app = false;
  for (const auto& [k, v] : target.params) {
    add(k, v);
    has_app = has_app || k == "application_name";
  }
  if (!has_app) add("application_name", "mlprod");
  return s;
}

}  // namespace mlprod::store
