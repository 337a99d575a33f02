#include "api/api_server.h"

namespace mlprod::api {
namespace {

std::unique_ptr<dashboard::History> MakeHistory(
    const std::shared_ptr<prometheus::Registry>& registry, const ApiConfig& config) {
  if (!config.dashboard) return nullptr;
  dashboard::HistoryOptions options = config.dashboard_history;
  options.clock = config.clock;
  return std::make_unique<dashboard::History>(registry, options);
}

}  // namespace

ApiServer::ApiServer(store::Store& store, queue::Broker& broker, queue::ResultBackend& backend,
                     std::shared_ptr<prometheus::Registry> registry, ApiConfig config)
    : metrics_(*registry, config.app_name),
      exposition_(registry, config.process_metrics),
      dashboard_(MakeHistory(registry, config)),
      service_(ApiDeps{.store = store,
                       .broker = broker,
                       .backend = backend,
                       .metrics = &metrics_,
                       .exposition = &exposition_,
                       .api_key = config.api_key,
                       .read_key = config.read_key,
                       .dashboard = dashboard_.get(),
                       .max_queue = config.max_queue,
                       .models_readiness = config.models_readiness,
                       .data_dir = config.data_dir,
                       .task_names = config.task_names,
                       .clock = config.clock}),
      server_(config.server, router_, &metrics_) {
  service_.Register(router_);
}

Status ApiServer::Start() {
  MLPROD_RETURN_IF_ERROR(server_.Start());
  if (dashboard_) dashboard_->Start();
  return OkStatus();
}

void ApiServer::Stop() {
  if (dashboard_) dashboard_->Stop();
  server_.Stop();
}

Status ApiServer::Run() {
  MLPROD_RETURN_IF_ERROR(Start());
  server_.Wait();
  return OkStatus();
}

}  // namespace mlprod::api
