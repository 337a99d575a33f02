#include "store/sql/connection_pool.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "store/sql/query.h"

namespace mlprod::store {
namespace {

void Close(std::unique_ptr<soci::session>& session) {
  if (session == nullptr) return;
  ForgetPreparedStatements(*session);
  session.reset();
}

}  // namespace

ConnectionPool::ConnectionPool(int size, Opener open, HealthCheck healthy)
    : open_(std::move(open)), healthy_(std::move(healthy)) {
  if (size < 1) {
    std::cerr << "fatal: ConnectionPool size must be >= 1, got " << size << '\n';
    std::abort();
  }
  slots_.resize(static_cast<size_t>(size));
  tags_.resize(static_cast<size_t>(size), 0);
  for (int i = size - 1; i >= 0; --i) free_.push_back(i);
}

ConnectionPool::~ConnectionPool() {
  MutexLock lock(mu_);
  if (free_.size() != slots_.size()) {
    // A lease outliving its pool would write into freed memory later.
    std::cerr << "fatal: ConnectionPool destroyed with sessions still leased\n";
    std::abort();
  }
  for (auto& session : slots_) Close(session);
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire(std::chrono::milliseconds timeout) {
  int slot = -1;
  std::unique_ptr<soci::session> session;
  {
    MutexLock lock(mu_);
    if (!freed_.wait_for(lock.native(), timeout,
                         [this]() MLPROD_REQUIRES(mu_) { return !free_.empty(); })) {
      return MakeError(ErrorCode::kUnavailable,
                       "no free database connection within " + std::to_string(timeout.count()) +
                           " ms (pool size " + std::to_string(slots_.size()) + ")");
    }
    slot = free_.back();
    free_.pop_back();
    session = std::move(slots_[static_cast<size_t>(slot)]);
  }
  if (session != nullptr && !healthy_(*session)) {
    spdlog::warn("store: dropping a broken database connection; reconnecting");
    Close(session);
  }
  std::int64_t* tag = &tags_[static_cast<size_t>(slot)];
  if (session == nullptr) {
    *tag = 0;
    std::string why;
    try {
      session = open_();
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (session == nullptr) {
      Release(slot, nullptr);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return MakeError(ErrorCode::kUnavailable, "database unavailable: " + why);
    }
  }
  return Lease(this, slot, std::move(session), tag);
}

void ConnectionPool::Release(int slot, std::unique_ptr<soci::session> session) {
  {
    MutexLock lock(mu_);
    slots_[static_cast<size_t>(slot)] = std::move(session);
    free_.push_back(slot);
  }
  freed_.notify_one();
}

ConnectionPool::Lease::Lease(ConnectionPool* pool, int slot, std::unique_ptr<soci::session> session,
                             std::int64_t* tag)
    : pool_(pool), slot_(slot), tag_(tag), session_(std::move(session)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      slot_(other.slot_),
      tag_(other.tag_),
      session_(std::move(other.session_)),
      discard_(other.discard_) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ == nullptr) return;
  if (discard_) Close(session_);
  pool_->Release(slot_, std::move(session_));
}

}  // namespace mlprod::store
