#include "api_test_env.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <random>

#include "api/assets.h"
#include "fakes/memory_store.h"
#include "ml/model_io.h"
#include "ml/test_data.h"
#include "ml/train.h"
#include "queue/task.h"

namespace mlprod::api::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

void SetSocketTimeout(tcp::socket& socket, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

struct Client::Impl {
  asio::io_context ioc;
  std::uint16_t port;
  std::unique_ptr<tcp::socket> socket;
  beast::flat_buffer buffer;

  void Connect() {
    socket = std::make_unique<tcp::socket>(ioc);
    socket->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SetSocketTimeout(*socket, 40000);
    buffer.clear();
  }
};

Client::Client(std::uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
Client::~Client() = default;

Reply Client::Call(http::verb method, const std::string& target, const std::string& body,
                   const std::map<std::string, std::string>& headers) {
  Reply reply;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->socket) impl_->Connect();
      http::request<http::string_body> req{method, target, 11};
      req.set(http::field::host, "127.0.0.1");
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      if (!body.empty() || method == http::verb::post || method == http::verb::put) {
        req.prepare_payload();
      }
      http::write(*impl_->socket, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      http::read(*impl_->socket, impl_->buffer, parser);
      auto& res = parser.get();
      reply.status = res.result_int();
      reply.body = res.body();
      for (const auto& field : res) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(field.value());
      }
      if (!res.keep_alive()) impl_->socket.reset();
      recorded.push_back({std::string(http::to_string(method)), target, reply});
      return reply;
    } catch (const std::exception&) {
      impl_->socket.reset();  // stale keep-alive connection: retry once on a new one
    }
  }
  ADD_FAILURE() << "request failed twice: " << target;
  return reply;
}

std::string RawExchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  SetSocketTimeout(socket, timeout_ms);
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  std::string out;
  char buf[65536];
  for (;;) {
    const std::size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

nlohmann::json ValidUserData() {
  return {{"name", "Ada"},
          {"people_num", 3},
          {"people_age", {41, 39, 9}},
          {"children_num", 1},
          {"budget", 1500.5},
          {"nights", 7},
          {"time_arrival", "2027-07-14"},
          {"pool", true},
          {"spa", false},
          {"pet_friendly", false},
          {"lake", true},
          {"mountain", false},
          {"sport", true}};
}

ApiConfig ApiServerTest::DefaultConfig() const {
  ApiConfig config;
  config.server.host = "127.0.0.1";
  config.server.port = 0;
  config.server.io_threads = 2;
  config.server.blocking_threads = 4;
  config.server.request_timeout = std::chrono::milliseconds(1500);
  config.server.idle_timeout = std::chrono::milliseconds(5000);
  config.server.shutdown_grace = std::chrono::milliseconds(2000);
  return config;
}

void ApiServerTest::SetUp() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("mlprod-api-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  // A real (tiny) model folder: PUT /models/{id} refuses folders that do not load.
  auto model = ml::Train(ml::testing::RandomDataset(60, 5), {.epochs = 1});
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_TRUE(ml::SaveModel(*model, BaselineFolder()).ok());
  store_ = fakes::MemoryStore();
  ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
  ASSERT_NO_FATAL_FAILURE(FillStore(*store_));
  broker_ = std::make_unique<queue::InprocBroker>();
  backend_ = std::make_unique<queue::InprocResultBackend>();
  registry_ = std::make_shared<prometheus::Registry>();
  schema_ = std::make_unique<SchemaChecker>(nlohmann::json::parse(assets::OpenApiJson()));
  StartServer(DefaultConfig());
}

std::filesystem::path ApiServerTest::BaselineFolder() const { return dir_ / "models" / "baseline"; }

void ApiServerTest::FillStore(store::Store& store) {
  std::vector<Location> locations;
  for (int i = 1; i <= kLocations; ++i) {
    Location l;
    l.location_id = i;
    l.lat = 46.0 + i * 0.01;
    l.lon = 8.9 + i * 0.01;
    l.price = 50 + i;
    l.has_pool = i % 2 == 0;
    l.family_rating = i % 5;
    locations.push_back(l);
  }
  ASSERT_TRUE(store.LoadLocationsIfEmpty(locations).ok());
  store::ModelRow baseline;
  baseline.task_id = "baseline";
  baseline.status = "promoted";
  baseline.path = BaselineFolder().string();
  baseline.use_percentage = 1.0;
  baseline.test.auc = 0.75;
  ASSERT_TRUE(store.RegisterModel(baseline).ok());
}

void ApiServerTest::StartServer(ApiConfig config) {
  client_.reset();
  server_.reset();
  registry_ = std::make_shared<prometheus::Registry>();
  server_ = std::make_unique<ApiServer>(*store_, *broker_, *backend_, registry_, config);
  auto started = server_->Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_NE(server_->port(), 0);
  client_ = std::make_unique<Client>(server_->port());
}

void ApiServerTest::TearDown() {
  // Contract: every answer of a documented route has its status documented in openapi.json,
  // and every JSON answer matches the schema documented for it.
  if (client_ && schema_) {
    for (const auto& r : client_->recorded) {
      std::string undocumented;
      bool route_known = false;
      const auto* documented = schema_->DocumentedResponse(r.method, r.target, r.reply.status,
                                                           undocumented, &route_known);
      EXPECT_TRUE(!route_known || documented != nullptr)
          << r.method << " " << r.target << " answered " << r.reply.status << ": " << undocumented;
      if (r.reply.header("content-type") != "application/json") continue;
      const auto body = r.reply.json();
      ASSERT_FALSE(body.is_discarded()) << r.method << " " << r.target << ": invalid JSON";
      std::string why;
      auto schema = schema_->ResponseSchema(r.method, r.target, r.reply.status, why);
      if (schema.is_null()) {
        ASSERT_GE(r.reply.status, 400) << r.method << " " << r.target << ": " << why;
        schema = {{"$ref", r.reply.status == 422 ? "#/components/schemas/HTTPValidationError"
                                                 : "#/components/schemas/HTTPError"}};
      }
      const auto problems = schema_->Check(body, schema);
      EXPECT_TRUE(problems.empty()) << r.method << " " << r.target << " -> " << r.reply.status
                                    << ": " << problems.front() << "\nbody: " << r.reply.body;
    }
  }
  client_.reset();
  server_.reset();
  backend_.reset();
  broker_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ApiServerTest::PlayInferenceWorker() {
  auto delivery = broker_->Next(std::chrono::seconds(5));
  EXPECT_TRUE(delivery.ok());
  if (!delivery.ok() || !*delivery) {
    ADD_FAILURE() << "no task message published";
    return "";
  }
  const auto& msg = (*delivery)->message();
  EXPECT_EQ(msg.task, queue::kInferenceTask);
  const auto user_id = msg.args.at(0).get<std::int64_t>();
  std::vector<store::ScoredLocation> scores;
  for (int i = 1; i <= kLocations; ++i) scores.push_back({i, i / 100.0});
  EXPECT_TRUE(store_->SaveResults(msg.id, user_id, "baseline", scores).ok());
  queue::TaskResult result;
  result.task_id = msg.id;
  result.state = queue::TaskState::kSuccess;
  result.result = nullptr;
  EXPECT_TRUE(backend_->Store(result).ok());
  EXPECT_TRUE((*delivery)->Ack().ok());
  return msg.id;
}

ApiServerTest::Counts ApiServerTest::StoreCounts() {
  Counts c{};
  auto info = store_->Info();
  EXPECT_TRUE(info.ok());
  c.locations = info->locations;
  c.users = info->users;
  auto results = store_->ListResults("", 0, 1000000);
  EXPECT_TRUE(results.ok());
  c.results = static_cast<long long>(results->size());
  c.selected = 0;
  for (const auto& r : *results) c.selected += r.label;
  auto models = store_->ListModels();
  EXPECT_TRUE(models.ok());
  c.models = static_cast<long long>(models->size());
  return c;
}

}  // namespace mlprod::api::testing
