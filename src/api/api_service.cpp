#include "api/api_service.h"

namespace mlprod::api {

ApiService::ApiService(ApiDeps deps)
    : deps_(std::move(deps)),
      inference_({.store = deps_.store,
                  .broker = deps_.broker,
                  .backend = deps_.backend,
                  .task_name = deps_.task_names.inference,
                  .max_queue = deps_.max_queue,
                  .metrics = deps_.metrics,
                  .clock = deps_.clock}),
      training_({.store = deps_.store,
                 .broker = deps_.broker,
                 .backend = deps_.backend,
                 .task_name = deps_.task_names.training,
                 .data_dir = deps_.data_dir}) {}

void ApiService::Register(Router& router) {
  RegisterMeta(router);
  RegisterInference(router);
  RegisterTraining(router);
  RegisterContent(router);
  RegisterDashboard(router);
}

bool BearerTokenMatches(std::string_view authorization, std::string_view key) {
  if (key.empty()) return false;
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) return false;
  }
  std::string_view token = authorization.substr(kScheme.size());
  if (token.front() != ' ') return false;  // "Bearerx ..." is another scheme
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  // Time depends only on the key's length, never on where the first mismatch is.
  unsigned diff = token.size() != key.size() ? 1u : 0u;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const unsigned char g = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(key[i]);
  }
  return diff == 0;
}

bool ApiService::Authorized(const Request& request) const {
  if (deps_.api_key.empty()) return true;
  return BearerTokenMatches(request.authorization, deps_.api_key);
}

bool ApiService::ReadAuthorized(const Request& request) const {
  if (deps_.api_key.empty() && deps_.read_key.empty()) return true;
  // Both are compared, so the time does not tell which key (if any) matched.
  const bool full = BearerTokenMatches(request.authorization, deps_.api_key);
  const bool read = BearerTokenMatches(request.authorization, deps_.read_key);
  return full || read;
}

}  // namespace mlprod::api
