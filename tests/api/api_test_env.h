// Test support for the in-process server tests: the real API server on 127.0.0.1 port 0 over
// the in-memory store of tests/fakes (model folders in a temp dir), the in-process broker and
// result backend; a small Beast client that records every answer; a "worker" step that plays the
// task worker. Not thread-safe, except that the server itself serves concurrently.
#pragma once

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/beast/http/verb.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api_server.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "schema_checker.h"
#include "store/store.h"

namespace mlprod::api::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One keep-alive connection; reconnects when the server closed it.
class Client {
 public:
  explicit Client(std::uint16_t port);
  ~Client();
  Reply Call(boost::beast::http::verb method, const std::string& target,
             const std::string& body = "",
             const std::map<std::string, std::string>& headers = {
                 {"Content-Type", "application/json"}});
  Reply Get(const std::string& target) { return Call(boost::beast::http::verb::get, target); }

  struct Recorded {
    std::string method, target;
    Reply reply;
  };
  std::vector<Recorded> recorded;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends raw bytes, half-closes, reads whatever comes back until the server closes (at most
// `timeout_ms`); returns the raw answer.
std::string RawExchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

// A valid UserData body.
nlohmann::json ValidUserData();

class ApiServerTest : public ::testing::Test {
 protected:
  // The in-memory store of tests/fakes, filled by FillStore, and the server on it.
  void SetUp() override;
  void TearDown() override;  // checks every recorded answer against openapi.json
  // Loads kLocations locations and registers the promoted "baseline" (its folder is
  // BaselineFolder(), saved by SetUp) into a migrated, empty store.
  void FillStore(store::Store& store);
  std::filesystem::path BaselineFolder() const;
  // Options tests may change before StartServer (SetUp starts with the defaults below).
  void StartServer(ApiConfig config);
  ApiConfig DefaultConfig() const;

  // The worker's part for one inference: take the message, save one score per location
  // (score = location_id / 100), store SUCCESS, ack. Returns the task id.
  std::string PlayInferenceWorker();

  struct Counts {
    long long locations, users, results, models, selected;
    bool operator==(const Counts&) const = default;
  };
  Counts StoreCounts();

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<queue::InprocBroker> broker_;
  std::unique_ptr<queue::InprocResultBackend> backend_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<SchemaChecker> schema_;
  static constexpr int kLocations = 25;
};

}  // namespace mlprod::api::testing
