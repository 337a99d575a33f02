#include "api/api_server.h"

namespace mlprod::api {

ApiServer::ApiServer(store::Store& store, queue::Broker& broker, queue::ResultBackend& backend,
                     std::shared_ptr<prometheus::Registry> registry, ApiConfig config)
    : metrics_(*registry, config.app_name),
      exposition_(registry, config.process_metrics),
      service_(ApiDeps{store, broker, backend, &metrics_, &exposition_, config.api_key}),
      server_(config.server, router_, &metrics_) {
  service_.Register(router_);
}

Status ApiServer::Run() {
  MLPROD_RETURN_IF_ERROR(server_.Start());
  server_.Wait();
  return OkStatus();
}

}  // namespace mlprod::api
