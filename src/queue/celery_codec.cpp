#include "queue/celery_codec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "queue/celery_time.h"

namespace mlprod::queue {
namespace {

using nlohmann::json;

json OptionalString(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json OptionalNumber(const std::optional<double>& v) {
  if (!v) return nullptr;
  // Celery users write whole seconds; keep them integers so the header matches byte for byte.
  if (std::floor(*v) == *v && std::abs(*v) < 1e15) return static_cast<long long>(*v);
  return *v;
}

Error Bad(std::string what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed Celery message: " + std::move(what));
}

// A header that must be a string, or absent/null when `optional`.
Result<std::optional<std::string>> StringHeader(const json& headers, const char* name,
                                                bool required) {
  auto it = headers.find(name);
  if (it == headers.end() || it->is_null()) {
    if (required) return Bad(std::string("header '") + name + "' is missing");
    return std::optional<std::string>();
  }
  if (!it->is_string()) return Bad(std::string("header '") + name + "' is not a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<std::string>> TimestampHeader(const json& headers, const char* name) {
  auto v = StringHeader(headers, name, false);
  if (!v.ok() || !v->has_value()) return v;
  if (auto t = ParseIsoTimestamp(**v); !t.ok()) {
    return Bad(std::string("header '") + name + "': " + t.error().message);
  }
  return v;
}

Result<std::optional<double>> LimitValue(const json& v, const char* which) {
  if (v.is_null()) return std::optional<double>();
  if (!v.is_number()) return Bad(std::string("timelimit ") + which + " is not a number or null");
  const double d = v.get<double>();
  if (!(d >= 0)) return Bad(std::string("timelimit ") + which + " is negative");
  return std::optional<double>(d);
}

void ReprString(const std::string& s, std::string& out) {
  // Python prefers single quotes unless the text holds one and no double quote.
  const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char q = dq ? '"' : '\'';
  out += q;
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
}

void Repr(const json& v, std::string& out) {
  switch (v.type()) {
    case json::value_t::null:
      out += "None";
      break;
    case json::value_t::boolean:
      out += v.get<bool>() ? "True" : "False";
      break;
    case json::value_t::string:
      ReprString(v.get_ref<const std::string&>(), out);
      break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        Repr(e, out);
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        ReprString(k, out);
        out += ": ";
        Repr(e, out);
      }
      out += '}';
      break;
    }
    default:
      out += v.dump();  // numbers print the same in JSON and Python
  }
}

}  // namespace

std::string PythonRepr(const json& value) {
  std::string out;
  Repr(value, out);
  return out;
}

std::string ArgsRepr(const json& args) {
  if (args.is_array() && args.empty()) return "()";
  return PythonRepr(args);
}

CeleryEnvelope EncodeTaskMessage(const TaskMessage& m, std::chrono::system_clock::time_point now) {
  CeleryEnvelope env;
  env.properties.correlation_id = m.id;
  if (m.expires) {
    auto t = ParseIsoTimestamp(*m.expires);
    if (!t.ok()) {
      std::cerr << "fatal: EncodeTaskMessage: " << t.error().message << '\n';
      std::abort();
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*t - now).count();
    env.properties.expiration = std::to_string(ms > 0 ? ms : 0);
  }
  if (m.eta && !ParseIsoTimestamp(*m.eta).ok()) {
    std::cerr << "fatal: EncodeTaskMessage: eta '" << *m.eta << "' is not a timestamp\n";
    std::abort();
  }
  // Same keys in the same order as Celery 5.2's amqp protocol v2 (nlohmann sorts them anyway;
  // AMQP tables have no order that consumers rely on).
  env.headers = json::object({
      {"lang", "py"},
      {"task", m.task},
      {"id", m.id},
      {"shadow", nullptr},
      {"eta", OptionalString(m.eta)},
      {"expires", OptionalString(m.expires)},
      {"group", OptionalString(m.group)},
      {"group_index", nullptr},
      {"retries", m.retries},
      {"timelimit",
       json::array({OptionalNumber(m.time_limit_hard), OptionalNumber(m.time_limit_soft)})},
      {"root_id", m.root_id.empty() ? m.id : m.root_id},
      {"parent_id", OptionalString(m.parent_id)},
      {"argsrepr", ArgsRepr(m.args)},
      {"kwargsrepr", PythonRepr(m.kwargs)},
      {"origin", m.origin},
      {"ignore_result", false},
  });
  const json embed = {
      {"callbacks", nullptr}, {"errbacks", nullptr}, {"chain", nullptr}, {"chord", nullptr}};
  env.body = json::array({m.args, m.kwargs, embed}).dump();
  return env;
}

Result<TaskMessage> DecodeTaskMessage(const json& headers, std::string_view body,
                                      std::string_view content_type) {
  if (!content_type.empty() && content_type != kCeleryContentType) {
    return Bad("content_type '" + std::string(content_type) +
               "' is not supported (only application/json)");
  }
  if (!headers.is_object()) return Bad("headers are not a table");
  TaskMessage m;
  auto task = StringHeader(headers, "task", true);
  if (!task.ok()) return task.error();
  auto id = StringHeader(headers, "id", true);
  if (!id.ok()) return id.error();
  m.task = **task;
  m.id = **id;
  if (m.task.empty()) return Bad("header 'task' is empty");
  if (m.id.empty()) return Bad("header 'id' is empty");

  auto eta = TimestampHeader(headers, "eta");
  if (!eta.ok()) return eta.error();
  auto expires = TimestampHeader(headers, "expires");
  if (!expires.ok()) return expires.error();
  auto root = StringHeader(headers, "root_id", false);
  if (!root.ok()) return root.error();
  auto parent = StringHeader(headers, "parent_id", false);
  if (!parent.ok()) return parent.error();
  auto group = StringHeader(headers, "group", false);
  if (!group.ok()) return group.error();
  auto origin = StringHeader(headers, "origin", false);
  if (!origin.ok()) return origin.error();
  m.eta = *eta;
  m.expires = *expires;
  m.root_id = root->value_or(m.id);
  m.parent_id = *parent;
  m.group = *group;
  m.origin = origin->value_or("");

  if (auto it = headers.find("retries"); it != headers.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1'000'000) {
      return Bad("header 'retries' is not a non-negative integer");
    }
    m.retries = it->get<int>();
  }
  if (auto it = headers.find("timelimit"); it != headers.end() && !it->is_null()) {
    if (!it->is_array() || it->size() != 2) return Bad("header 'timelimit' is not [hard, soft]");
    auto hard = LimitValue((*it)[0], "hard");
    if (!hard.ok()) return hard.error();
    auto soft = LimitValue((*it)[1], "soft");
    if (!soft.ok()) return soft.error();
    m.time_limit_hard = *hard;
    m.time_limit_soft = *soft;
  }

  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Bad("body is not valid JSON");
  if (!parsed.is_array() || parsed.size() != 3) {
    return Bad("body is not a 3-element array [args, kwargs, embed]");
  }
  if (!parsed[0].is_array()) return Bad("body args are not an array");
  if (!parsed[1].is_object()) return Bad("body kwargs are not an object");
  if (!parsed[2].is_object() && !parsed[2].is_null()) return Bad("body embed is not an object");
  m.args = std::move(parsed[0]);
  m.kwargs = std::move(parsed[1]);
  return m;
}

}  // namespace mlprod::queue
