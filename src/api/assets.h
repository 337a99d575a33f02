// Files embedded in the binary at build time (assets.cpp, `.incbin`): the OpenAPI document and
// the Swagger UI files fetched by scripts/fetch-assets.sh, so `mlprod` stays one file.
// Immutable, static storage; thread-safe.
#pragma once

#include <string_view>

namespace mlprod::api::assets {

std::string_view OpenApiJson();
std::string_view SwaggerUiBundleJs();
std::string_view SwaggerUiCss();
std::string_view SwaggerFaviconPng();
std::string_view SwaggerUiVersion();  // e.g. "5.35.0"

}  // namespace mlprod::api::assets
