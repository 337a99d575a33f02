// Celery message protocol v2 codec for task messages (SPEC §4): TaskMessage <-> AMQP properties,
// headers and JSON body, exactly as Celery 5.2 sends them. Pure: no sockets, no clock reads
// (callers pass `now`). Not the result format (see celery_result.h). Thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::queue {

inline constexpr std::string_view kCeleryContentType = "application/json";
inline constexpr std::string_view kCeleryContentEncoding = "utf-8";

// The AMQP basic properties Celery sets on a task message.
struct CeleryProperties {
  std::string content_type = std::string(kCeleryContentType);
  std::string content_encoding = std::string(kCeleryContentEncoding);
  int delivery_mode = 2;  // persistent
  int priority = 0;
  std::string correlation_id;             // = task id
  std::optional<std::string> reply_to;    // Celery sets its app's oid; we leave it unset
  std::optional<std::string> expiration;  // per-message TTL in ms, set when `expires` is
};

struct CeleryEnvelope {
  CeleryProperties properties;
  nlohmann::json headers = nlohmann::json::object();  // AMQP headers table, JSON-typed
  std::string body;                                   // JSON text [args, kwargs, embed]
};

// Encodes a task as Celery 5.2 does. `now` only serves the AMQP `expiration` property
// (expires - now in ms, never negative). Aborts on a message whose eta/expires is not a
// timestamp: producers build those from time points, so that is a bug, not input.
CeleryEnvelope EncodeTaskMessage(const TaskMessage& message,
                                 std::chrono::system_clock::time_point now);

// Decodes headers + body. content_type, when given, must be JSON (we only speak Celery's json
// serializer). Every malformed part is an InvalidArgument error naming the part.
Result<TaskMessage> DecodeTaskMessage(const nlohmann::json& headers, std::string_view body,
                                      std::string_view content_type = kCeleryContentType);

// Python's repr() of JSON args/kwargs, as Celery's `argsrepr`/`kwargsrepr` headers show them
// (empty args read "()" like Celery's default empty tuple).
std::string ArgsRepr(const nlohmann::json& args);
std::string PythonRepr(const nlohmann::json& value);

}  // namespace mlprod::queue
