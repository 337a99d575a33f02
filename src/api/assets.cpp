#include "api/assets.h"

// The build passes MLPROD_API_SOURCE_DIR, MLPROD_SWAGGER_DIR and MLPROD_UPLOT_DIR as string
// literals. `.incbin`
// copies the files into .rodata at assembly time: no multi-megabyte C++ array to compile.
#define MLPROD_INCBIN(name, file)                                                               \
  __asm__(                                                                                      \
      ".pushsection .rodata\n"                                                                  \
      ".balign 16\n"                                                                            \
      ".global mlprod_asset_" #name                                                             \
      "_begin\n"                                                                                \
      "mlprod_asset_" #name                                                                     \
      "_begin:\n"                                                                               \
      ".incbin \"" file                                                                         \
      "\"\n"                                                                                    \
      ".global mlprod_asset_" #name                                                             \
      "_end\n"                                                                                  \
      "mlprod_asset_" #name                                                                     \
      "_end:\n"                                                                                 \
      ".byte 0\n"                                                                               \
      ".popsection\n");                                                                         \
  extern "C" const char mlprod_asset_##name##_begin[];                                          \
  extern "C" const char mlprod_asset_##name##_end[];                                            \
  static std::string_view name##_view() {                                                       \
    return {mlprod_asset_##name##_begin,                                                        \
            static_cast<std::size_t>(mlprod_asset_##name##_end - mlprod_asset_##name##_begin)}; \
  }

MLPROD_INCBIN(openapi, MLPROD_API_SOURCE_DIR "/openapi.json")
MLPROD_INCBIN(bundle, MLPROD_SWAGGER_DIR "/swagger-ui-bundle.js")
MLPROD_INCBIN(css, MLPROD_SWAGGER_DIR "/swagger-ui.css")
MLPROD_INCBIN(favicon, MLPROD_SWAGGER_DIR "/favicon-32x32.png")
MLPROD_INCBIN(version, MLPROD_SWAGGER_DIR "/VERSION")
MLPROD_INCBIN(dashboard_html, MLPROD_API_SOURCE_DIR "/dashboard.html")
MLPROD_INCBIN(dashboard_js, MLPROD_API_SOURCE_DIR "/dashboard.js")
MLPROD_INCBIN(uplot_js, MLPROD_UPLOT_DIR "/uPlot.iife.min.js")
MLPROD_INCBIN(uplot_css, MLPROD_UPLOT_DIR "/uPlot.min.css")

namespace mlprod::api::assets {

std::string_view OpenApiJson() { return openapi_view(); }
std::string_view SwaggerUiBundleJs() { return bundle_view(); }
std::string_view SwaggerUiCss() { return css_view(); }
std::string_view SwaggerFaviconPng() { return favicon_view(); }
std::string_view SwaggerUiVersion() {
  std::string_view v = version_view();
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}
std::string_view DashboardHtml() { return dashboard_html_view(); }
std::string_view DashboardJs() { return dashboard_js_view(); }
std::string_view UPlotJs() { return uplot_js_view(); }
std::string_view UPlotCss() { return uplot_css_view(); }

}  // namespace mlprod::api::assets
