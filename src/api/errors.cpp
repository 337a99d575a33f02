#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "common/log.h"

namespace mlprod::api {
namespace {

LogLimiter& ServerErrorLog() {
  static LogLimiter limiter;
  return limiter;
}

}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
      return 503;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response JsonResponse(const nlohmann::json& value, int status) {
  Response r;
  r.status = status;
  r.body = Dump(value);
  return r;
}

Response DetailResponse(int status, std::string_view message) {
  return JsonResponse({{"detail", message}}, status);
}

Response ErrorResponse(const Error& error) {
  const int status = HttpStatusFor(error.code);
  if (status < 500) {
    Response r = DetailResponse(status, error.message);
    if (status == 401) r.www_authenticate = true;
    return r;
  }
  if (long long suppressed = 0; ServerErrorLog().Allow(&suppressed)) {
    if (suppressed > 0) {
      spdlog::error("api: answered {} ({}): {} ({} similar lines suppressed)", status,
                    ErrorCodeName(error.code), error.message, suppressed);
    } else {
      spdlog::error("api: answered {} ({}): {}", status, ErrorCodeName(error.code), error.message);
    }
  }
  Response r = DetailResponse(status, status == 503 ? kUnavailableDetail : kInternalDetail);
  r.exception = ErrorCodeName(error.code);
  return r;
}

Response AuthRequiredResponse() {
  Response r = DetailResponse(401, "Not authenticated");
  r.www_authenticate = true;
  return r;
}

Response ValidationResponse(const std::vector<ValidationIssue>& issues) {
  nlohmann::json detail = nlohmann::json::array();
  for (const auto& issue : issues) {
    detail.push_back({{"loc", issue.loc}, {"msg", issue.msg}, {"type", issue.type}});
  }
  return JsonResponse({{"detail", std::move(detail)}}, 422);
}

}  // namespace mlprod::api
