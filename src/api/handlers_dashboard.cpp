// The built-in live dashboard: GET /dashboard (the page), GET /dashboard/data (its time series,
// from dashboard::History) and the page's embedded script, uPlot and stylesheet.
#include "api/api_service.h"
#include "api/assets.h"
#include "api/errors.h"
#include "api/validation.h"

namespace mlprod::api {
namespace {

// The page, its script and its data are never cached: a restarted server shows its own at once.
constexpr std::string_view kNoStore = "no-store";

}  // namespace

void ApiService::RegisterDashboard(Router& router) {
  router.Add(Verb::get, "/dashboard", [](const Request&) {
    return StaticResponse(assets::DashboardHtml(), "text/html; charset=utf-8", kNoStore);
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
    return StaticResponse(assets::DashboardJs(), "text/javascript; charset=utf-8", kNoStore);
  });
  router.Add(Verb::get, "/dashboard/assets/uPlot.iife.min.js", [](const Request&) {
    return StaticResponse(assets::UPlotJs(), "text/javascript; charset=utf-8", kAssetCache);
  });
  router.Add(Verb::get, "/dashboard/assets/uPlot.min.css", [](const Request&) {
    return StaticResponse(assets::UPlotCss(), "text/css; charset=utf-8", kAssetCache);
  });
}

}  // namespace mlprod::api
