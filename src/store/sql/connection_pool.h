// A fixed-size pool of SOCI sessions: opened lazily, health-checked on every lease and reopened
// when broken, so the store reconnects on its own after a database restart. Not a query layer.
// Thread-safe; a Lease (and its session) belongs to one thread at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"

namespace soci {
class session;
}

namespace mlprod::store {

class ConnectionPool {
 public:
  // Opens a new session; may throw (soci::soci_error). Called without the pool lock held.
  using Opener = std::function<std::unique_ptr<soci::session>()>;
  // A cheap check (no round trip) that an idle session is still usable.
  using HealthCheck = std::function<bool(soci::session&)>;

  ConnectionPool(int size, Opener open, HealthCheck healthy);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    soci::session& session() { return *session_; }
    // The session is broken: close it instead of giving it back.
    void Discard() { discard_ = true; }
    // A value the user keeps with this session across leases (the store: the statement bound
    // it set); 0 for a session just opened.
    std::int64_t& tag() { return *tag_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, int slot, std::unique_ptr<soci::session> session,
          std::int64_t* tag);
    ConnectionPool* pool_;
    int slot_;
    std::int64_t* tag_;
    std::unique_ptr<soci::session> session_;
    bool discard_ = false;
  };

  // A session within `timeout`, or kUnavailable when none frees up in time or the database
  // cannot be reached.
  Result<Lease> Acquire(std::chrono::milliseconds timeout);

  // Unlocked: the number of slots is fixed at construction, only their contents change.
  int size() const MLPROD_NO_THREAD_SAFETY_ANALYSIS { return static_cast<int>(slots_.size()); }

 private:
  void Release(int slot, std::unique_ptr<soci::session> session);

  Opener open_;
  HealthCheck healthy_;
  Mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<soci::session>> slots_ MLPROD_GUARDED_BY(mu_);
  std::vector<int> free_ MLPROD_GUARDED_BY(mu_);
  // Lease::tag of each slot: sized once, an element touched only by its slot's lease holder.
  std::vector<std::int64_t> tags_;
};

}  // namespace mlprod::store
