// The built-in live dashboard: GET /dashboard (the page), GET /dashboard/data (its time series,
// from dashboard::History) and the page's embedded script, uPlot and stylesheet.
#include "api/api_service.h"
#include "api/assets.h"
#include "api/errors.h"
#include "api/validation.h"

namespace mlprod::api {
namespace {

// The page and its script change only with the binary; the data never caches.
constexpr std::string_view kAssetCache = "public, max-age=86400";
constexpr std::string_view kNoStore = "no-store";

Response Static(std::string_view body, std::string_view content_type, std::string_view cache) {
  Response r;
  r.static_body = body;
  r.content_type = content_type;
  r.cache_control = cache;
  return r;
}

}  // namespace

void ApiService::RegisterDashboard(Router& router) {
  router.Add(Verb::get, "/dashboard", [](const Request&) {
    return Static(assets::DashboardHtml(), "text/html; charset=utf-8", kNoStore);
  });
  router.Add(
      Verb::get, "/dashboard/data",
      [this](const Request& r) {
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto window = QueryInt(check, r.query, "window", 900, 10, 3600);
        if (!window) return ValidationResponse(issues);
        Response resp;
        if (deps_.dashboard != nullptr) {
          resp = JsonResponse(deps_.dashboard->ToJson(static_cast<double>(*window)));
        } else {
          resp = JsonResponse(
              dashboard::SeriesJson({}, dashboard::HistoryOptions{}, static_cast<double>(*window)));
        }
        resp.cache_control = kNoStore;
        return resp;
      },
      Exec::kBlocking);  // serialising an hour of points is no work for an I/O thread
  router.Add(Verb::get, "/dashboard/assets/dashboard.js", [](const Request&) {
    return Static(assets::DashboardJs(), "text/javascript; charset=utf-8", kNoStore);
  });
  router.Add(Verb::get, "/dashboard/assets/uPlot.iife.min.js", [](const Request&) {
    return Static(assets::UPlotJs(), "text/javascript; charset=utf-8", kAssetCache);
  });
  router.Add(Verb::get, "/dashboard/assets/uPlot.min.css", [](const Request&) {
    return Static(assets::UPlotCss(), "text/css; charset=utf-8", kAssetCache);
  });
}

}  // namespace mlprod::api
