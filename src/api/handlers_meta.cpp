// Service routes: greeting, health, metrics, OpenAPI document and the Swagger UI page.
#include <spdlog/spdlog.h>

#include "api/api_service.h"
#include "api/assets.h"
#include "api/errors.h"

namespace mlprod::api {
namespace {

// Pre-serialised constant answers: the hot path copies nothing.
constexpr std::string_view kHello = "\"Hi! \xF0\x9F\x98\x80\"";
constexpr std::string_view kAlive = R"({"status":"alive"})";

constexpr std::string_view kDocsHtml = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlprod API - Swagger UI</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body>
</html>
)";

// A file of its own, not inline: the page's Content-Security-Policy allows only 'self' scripts.
// No validator badge: it would load an image from validator.swagger.io.
constexpr std::string_view kDocsInitJs = R"(window.ui = SwaggerUIBundle({url: "/openapi.json",
  dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
)";

}  // namespace

void ApiService::RegisterMeta(Router& router) {
  router.Add(Verb::get, "/", [](const Request&) { return StaticResponse(kHello, kJsonType); });
  router.Add(Verb::get, "/health/live",
             [](const Request&) { return StaticResponse(kAlive, kJsonType); });
  router.Add(
      Verb::get, "/health/ready",
      [this](const Request&) {
        // Only "ok"/"unavailable" and a short reason go out: dependency errors may name hosts,
        // files or credentials (they are logged instead).
        nlohmann::json checks = nlohmann::json::object();
        nlohmann::json reasons = nlohmann::json::object();
        bool ready = true;
        auto check = [&](const char* name, Status status, std::string_view reason) {
          if (!status.ok()) {
            spdlog::warn("api: readiness: {} unavailable: {}", name, status.error().message);
            reasons[name] = reason;
          }
          checks[name] = status.ok() ? "ok" : "unavailable";
          ready = ready && status.ok();
        };
        // A store that answers reads but cannot write (disk full) is not ready either; its
        // WriteHealth message names only the kind of failure.
        Status store = deps_.store.Ping();
        std::string store_reason = "unreachable";
        if (store.ok()) {
          store = deps_.store.WriteHealth();
          if (!store.ok()) store_reason = store.error().message;
        }
        check("store", store, store_reason);
        check("broker", deps_.broker.Ping(), "unreachable");
        check("backend", deps_.backend.Ping(), "unreachable");
        nlohmann::json body = {{"checks", checks}};
        if (deps_.models_readiness && ready) {
          // Only when the store answers: the check reads the active models from it.
          const ModelsReadiness models = deps_.models_readiness();
          using S = ModelsReadiness::State;
          body["checks"]["models"] = models.state == S::kOk         ? "ok"
                                     : models.state == S::kFallback ? "fallback"
                                                                    : "unavailable";
          if (models.state == S::kFallback) body["warning"] = models.detail;
          if (models.state == S::kUnavailable) {
            body["detail"] = models.detail;
            ready = false;
          }
        }
        body["status"] = ready ? "ready" : "unavailable";
        if (!reasons.empty()) body["reasons"] = std::move(reasons);
        return JsonResponse(body, ready ? 200 : 503);
      },
      Exec::kBlocking);
  if (deps_.exposition != nullptr) {
    router.Add(
        Verb::get, "/metrics",
        [this](const Request&) {
          Response r;
          r.body = deps_.exposition->Render();
          r.content_type = metrics::Exposition::kContentType;
          return r;
        },
        Exec::kBlocking);
  }
  router.Add(Verb::get, "/openapi.json",
             [](const Request&) { return StaticResponse(assets::OpenApiJson(), kJsonType); });
  router.Add(Verb::get, "/docs",
             [](const Request&) { return StaticResponse(kDocsHtml, "text/html; charset=utf-8"); });
  router.Add(Verb::get, "/docs/swagger-init.js", [](const Request&) {
    return StaticResponse(kDocsInitJs, "text/javascript; charset=utf-8");
  });
  router.Add(Verb::get, "/docs/swagger-ui-bundle.js", [](const Request&) {
    return StaticResponse(assets::SwaggerUiBundleJs(), "text/javascript; charset=utf-8",
                          kAssetCache);
  });
  router.Add(Verb::get, "/docs/swagger-ui.css", [](const Request&) {
    return StaticResponse(assets::SwaggerUiCss(), "text/css; charset=utf-8", kAssetCache);
  });
  router.Add(Verb::get, "/docs/favicon-32x32.png", [](const Request&) {
    return StaticResponse(assets::SwaggerFaviconPng(), "image/png", kAssetCache);
  });
}

}  // namespace mlprod::api
