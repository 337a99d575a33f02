#include "app/runtime.h"

#include <csignal>

#include "common/tsv.h"
#include "queue/amqp/amqp_broker.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "queue/redis/redis_result_backend.h"
#include "store/sql/open_store.h"

namespace mlprod::app {

Result<RuntimeConfig> LoadRuntimeConfig(const Environment& env, std::filesystem::path data_dir) {
  RuntimeConfig c;
  c.data_dir = std::move(data_dir);
  c.database_url = env.GetOr("DATABASE_URL", "");
  c.broker_url = env.GetOr("CELERY_BROKER_URL", "");
  c.backend_url = env.GetOr("CELERY_BACKEND_URL", "");
  c.queue = env.GetOr("CELERY_QUEUE", "celery");
  c.api_key = env.GetOr("MLPROD_API_KEY", "");
  c.allowed_hosts = env.GetOr("MLPROD_ALLOWED_HOSTS", "");
  c.cors_origins = env.GetOr("MLPROD_CORS_ORIGINS", "");
  c.read_key = env.GetOr("MLPROD_READ_KEY", "");
  if (auto v = env.Get("CELERY_RESULT_EXPIRES"); v && !v->empty()) {
    auto n = ParseInt(*v);
    if (!n.ok() || *n < 1) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "CELERY_RESULT_EXPIRES must be a positive number of seconds, got '" + *v + "'");
    }
    c.result_expires_s = static_cast<int>(*n);
  }
  if (auto v = env.Get("MLPROD_AUTO_RETRAIN"); v && !v->empty()) {
    if (*v == "off" || *v == "false" || *v == "0") {
      c.auto_retrain = false;
    } else if (*v != "on" && *v != "true" && *v != "1") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "MLPROD_AUTO_RETRAIN must be on or off, got '" + *v + "'");
    }
  }
  if (auto names = queue::ParseTaskNames(env.GetOr("MLPROD_TASK_NAMES", "")); names.ok()) {
    c.task_names = std::move(*names);
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "MLPROD_TASK_NAMES: " + names.error().message);
  }
  if (!c.broker_url.empty() && !c.broker_url.starts_with("amqp://") &&
      !c.broker_url.starts_with("pyamqp://") && !c.broker_url.starts_with("amqps://")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "CELERY_BROKER_URL: only AMQP brokers are supported (amqp:// or "
                     "pyamqp://), got '" +
                         RedactUrl(c.broker_url) + "'");
  }
  // rediss:// passes here so the URL parser can say that TLS is what is missing.
  if (!c.backend_url.empty() && !c.backend_url.starts_with("redis://") &&
      !c.backend_url.starts_with("rediss://")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "CELERY_BACKEND_URL: only the Redis result backend is supported "
                     "(redis://), got '" +
                         RedactUrl(c.backend_url) + "'");
  }
  if (c.broker_url.empty() != c.backend_url.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "set both CELERY_BROKER_URL and CELERY_BACKEND_URL (distributed mode) or "
                     "neither (embedded mode): a process-local half cannot talk to the other");
  }
  return c;
}

Result<Runtime> OpenRuntime(const RuntimeConfig& c, int store_connections) {
  Runtime rt;
  const std::string db_url =
      c.database_url.empty() ? "sqlite://" + (c.data_dir / "mlprod.db").string() : c.database_url;
  store::StoreOptions store_options;
  store_options.pool_size = store_connections;
  store_options.keep_results = c.keep_results;
  auto store = store::OpenStore(db_url, store_options);
  if (!store.ok()) {
    return MakeError(store.error().code, "DATABASE_URL: " + store.error().message);
  }
  rt.store = std::move(store.value());
  if (c.broker_url.empty()) {
    rt.broker =
        std::make_unique<queue::InprocBroker>(queue::InprocBrokerOptions{.clock = rt.clock});
    queue::InprocResultBackendOptions options;
    options.result_expires = std::chrono::seconds(c.result_expires_s);
    options.clock = rt.clock;
    rt.backend = std::make_unique<queue::InprocResultBackend>(options);
    return rt;
  }
  queue::AmqpBrokerOptions broker_options;
  broker_options.url = c.broker_url;
  broker_options.queue = c.queue;
  auto broker = queue::AmqpBroker::Create(broker_options);
  if (!broker.ok()) {
    return MakeError(broker.error().code, "CELERY_BROKER_URL: " + broker.error().message);
  }
  rt.broker = std::move(broker.value());
  queue::RedisResultBackendOptions backend_options;
  backend_options.url = c.backend_url;
  backend_options.result_expires = std::chrono::seconds(c.result_expires_s);
  auto backend = queue::RedisResultBackend::Create(backend_options);
  if (!backend.ok()) {
    return MakeError(backend.error().code, "CELERY_BACKEND_URL: " + backend.error().message);
  }
  rt.backend = std::move(backend.value());
  return rt;
}

std::string RedactUrl(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  // The last '@' of the authority ends the user info (a password may hold a raw '@').
  const auto authority_end = url.find_first_of("/?#", scheme + 3);
  const auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::function<int()> BlockStopSignals() {
  auto set = std::make_shared<sigset_t>();
  sigemptyset(set.get());
  sigaddset(set.get(), SIGINT);
  sigaddset(set.get(), SIGTERM);
  pthread_sigmask(SIG_BLOCK, set.get(), nullptr);
  return [set] {
    int sig = 0;
    sigwait(set.get(), &sig);
    return sig;
  };
}

}  // namespace mlprod::app
