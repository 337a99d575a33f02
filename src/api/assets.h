// Files embedded in the binary at build time (assets.cpp, `.incbin`): the OpenAPI document, the
// dashboard page, and the Swagger UI and uPlot files fetched by scripts/fetch-assets.sh, so
// `mlprod` stays one file.
// Immutable, static storage; thread-safe.
#pragma once

#include <string_view>

namespace mlprod::api::assets {

std::string_view OpenApiJson();
std::string_view SwaggerUiBundleJs();
std::string_view SwaggerUiCss();
std::string_view SwaggerFaviconPng();
std::string_view SwaggerUiVersion();  // e.g. "5.35.0"

std::string_view DashboardHtml();  // src/api/dashboard.html
std::string_view DashboardJs();    // src/api/dashboard.js
std::string_view UPlotJs();        // uPlot.iife.min.js (npm `uplot`)
std::string_view UPlotCss();

}  // namespace mlprod::api::assets
