// Debug reads under /content (SPEC §3): counts, locations, users, results. Users and results
// are other people's data: with a key configured they need it (ReadAuthorized); counts and
// the location catalogue stay public. Differences from the reference: docs/compatibility.md.
#include "api/api_service.h"
#include "api/errors.h"
#include "api/json_mapping.h"
#include "api/validation.h"
#include "common/uuid.h"

namespace mlprod::api {
namespace {

constexpr long long kMaxId = 1LL << 53;
constexpr long long kMaxPage = 1000;
constexpr long long kMaxContentSkip = 10000;

// The page size without ?limit= on the unbounded tables (users, results: they grow with
// traffic). The location catalogue is bounded (the TSV loaded at bootstrap, 210 rows), so its
// list answers every row without ?limit=, as the reference's does.
constexpr long long kDefaultPage = 100;
constexpr long long kAllRows = -1;

// FastAPI-style paging: ?skip= (default 0, at most kMaxContentSkip) and ?limit= (default
// `default_limit`, kAllRows for every row; at most kMaxPage when given), plus the keyset cursor
// ?after=<id>: only rows whose id is above it. An offset is walked row by row (0.44 s at 3.9 M
// results, holding a pooled connection), a cursor is one index seek, so deep pages must use
// the cursor.
struct Page {
  long long skip = 0;
  long long limit = kDefaultPage;
  std::optional<std::int64_t> after;
};

std::optional<Page> ReadPage(Checker& check, std::string_view query,
                             long long default_limit = kDefaultPage) {
  auto skip = QueryInt(check, query, "skip", 0, 0, kMaxId);
  auto limit = QueryInt(check, query, "limit", default_limit, 1, kMaxPage);
  auto after = QueryInt(check, query, "after", -1, 0, kMaxId);
  if (skip && *skip > kMaxContentSkip) {
    check.Add({"query", "skip"},
              "Input should be less than or equal to " + std::to_string(kMaxContentSkip) +
                  "; for deeper pages pass after=<the last id of the previous page> instead",
              "less_than_equal");
    return std::nullopt;
  }
  if (!skip || !limit || !after) return std::nullopt;
  Page page{*skip, *limit, std::nullopt};
  if (*after >= 0) page.after = *after;
  return page;
}

template <typename T, typename F>
Response JsonArray(const Result<std::vector<T>>& rows, F to_json) {
  if (!rows.ok()) return ErrorResponse(rows.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : *rows) out.push_back(to_json(row));
  return JsonResponse(out);
}

template <typename T, typename F>
Response JsonOne(const Result<std::optional<T>>& row, F to_json, std::string_view what) {
  if (!row.ok()) return ErrorResponse(row.error());
  if (!row->has_value()) return DetailResponse(404, std::string(what) + " not found");
  return JsonResponse(to_json(**row));
}

}  // namespace

void ApiService::RegisterContent(Router& router) {
  router.Add(
      Verb::get, "/content/info",
      [this](const Request&) {
        auto info = deps_.store.Info();
        if (!info.ok()) return ErrorResponse(info.error());
        return JsonResponse({{"locations", info->locations}, {"users", info->users}});
      },
      Exec::kBlocking);

  // The three single-row reads share their shape: an integer id in the path.
  auto by_id = [this, &router](std::string path, auto read, auto to_json, std::string what,
                               bool personal) {
    router.Add(
        Verb::get, std::move(path),
        [this, read, to_json, what, personal](const Request& r) {
          if (personal && !ReadAuthorized(r)) return AuthRequiredResponse();
          std::vector<ValidationIssue> issues;
          Checker check(issues);
          auto id = check.Int(nlohmann::json(std::string(r.params[0])), {"path", "id"}, 0, kMaxId);
          if (!id) return ValidationResponse(issues);
          return JsonOne(read(deps_.store, *id), to_json, what);
        },
        Exec::kBlocking);
  };
  by_id(
      "/content/location/{id}",
      [](store::ContentStore& s, long long id) { return s.GetLocation(id); }, LocationJson,
      "Location", false);
  by_id(
      "/content/user/{id}", [](store::ContentStore& s, long long id) { return s.GetUser(id); },
      UserJson, "User", true);
  by_id(
      "/content/result/{id}", [](store::ContentStore& s, long long id) { return s.GetResult(id); },
      ResultRowJson, "Result", true);

  router.Add(
      Verb::get, "/content/locations",
      [this](const Request& r) {
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto page = ReadPage(check, r.query, kAllRows);
        if (!page) return ValidationResponse(issues);
        return JsonArray(deps_.store.ListLocations(page->skip, page->limit, page->after),
                         LocationJson);
      },
      Exec::kBlocking);
  router.Add(
      Verb::get, "/content/users",
      [this](const Request& r) {
        if (!ReadAuthorized(r)) return AuthRequiredResponse();
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto page = ReadPage(check, r.query);
        if (!page) return ValidationResponse(issues);
        return JsonArray(deps_.store.ListUsers(page->skip, page->limit, page->after), UserJson);
      },
      Exec::kBlocking);
  router.Add(
      Verb::get, "/content/results",
      [this](const Request& r) {
        if (!ReadAuthorized(r)) return AuthRequiredResponse();
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto page = ReadPage(check, r.query);
        if (!page) return ValidationResponse(issues);
        const std::string task_id = QueryParam(r.query, "task_id").value_or("");
        // Not a task id (garbage, invalid UTF-8): no rows, without asking the database.
        if (!task_id.empty() && !IsUuid(task_id)) return JsonResponse(nlohmann::json::array());
        return JsonArray(deps_.store.ListResults(task_id, page->skip, page->limit, page->after),
                         ResultRowJson);
      },
      Exec::kBlocking);
}

}  // namespace mlprod::api
