// The one table from ErrorCode to HTTP status and JSON body, and the FastAPI-shaped bodies for
// request validation errors (`{"detail":[{"loc":[...],"msg":...,"type":...}]}`).
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "common/result.h"

namespace mlprod::api {

// The HTTP status an error kind maps to.
int HttpStatusFor(ErrorCode code);

// `{"detail": message}` with the mapped status. 5xx responses name the error kind and never
// carry the message (dependency errors name hosts, ports, files): it is logged (at most a few
// lines a second) and the body says only kUnavailableDetail or kInternalDetail.
Response ErrorResponse(const Error& error);
inline constexpr std::string_view kUnavailableDetail = "Service unavailable, try again later";
inline constexpr std::string_view kInternalDetail = "Internal server error";
// 401 `{"detail":"Not authenticated"}` with `WWW-Authenticate: Bearer`.
Response AuthRequiredResponse();
// `{"detail": message}` with an explicit status (404 for an unknown route, 413, ...).
Response DetailResponse(int status, std::string_view message);

// One failed check of a request, in FastAPI/pydantic v2 terms.
struct ValidationIssue {
  nlohmann::json loc;  // e.g. ["body", "people_age", 3]
  std::string msg;     // e.g. "Input should be less than or equal to 120"
  std::string type;    // e.g. "less_than_equal"
};

// 422 `{"detail":[...]}`.
Response ValidationResponse(const std::vector<ValidationIssue>& issues);

// JSON text that never throws: invalid UTF-8 from the client is replaced, not fatal.
std::string Dump(const nlohmann::json& value);

// A JSON answer with status 200 (or `status`).
Response JsonResponse(const nlohmann::json& value, int status = 200);

// Cache-Control of embedded assets: they change only with the binary, so a day is safe.
inline constexpr std::string_view kAssetCache = "public, max-age=86400";
// A 200 answer with a body that lives for the whole process (constants, embedded files): the
// hot path copies nothing.
inline Response StaticResponse(std::string_view body, std::string_view content_type,
                               std::string_view cache_control = {}) {
  Response r;
  r.static_body = body;
  r.content_type = content_type;
  r.cache_control = cache_control;
  return r;
}

}  // namespace mlprod::api
