// The project's mutex, with the locking rules written as Clang thread-safety annotations
// instead of comments. Every mutex of src/ is a Mutex; the data it guards is declared
// MLPROD_GUARDED_BY(mu), a function that expects it held MLPROD_REQUIRES(mu), one that takes it
// itself MLPROD_EXCLUDES(mu). The clang flavour (scripts/build.sh clang, run by scripts/test.sh)
// compiles with -Wthread-safety -Werror, so touching guarded data without its lock fails the
// build; under GCC the annotations expand to nothing and Mutex is a std::mutex.
//
//   Mutex mu_;
//   std::condition_variable cv_;
//   std::deque<Item> items_ MLPROD_GUARDED_BY(mu_);
//   ...
//   MutexLock lock(mu_);
//   cv_.wait(lock.native(), [this]() MLPROD_REQUIRES(mu_) { return !items_.empty(); });
//
// A condition variable waits on lock.native() (std::unique_lock<std::mutex>); its predicate is
// a lambda annotated MLPROD_REQUIRES, since the analysis sees each lambda as its own function.
// The analysis does not look into constructors and destructors.
#pragma once

#include <mutex>

#if defined(__clang__)
#define MLPROD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MLPROD_THREAD_ANNOTATION(x)
#endif

#define MLPROD_CAPABILITY(x) MLPROD_THREAD_ANNOTATION(capability(x))
#define MLPROD_SCOPED_CAPABILITY MLPROD_THREAD_ANNOTATION(scoped_lockable)
#define MLPROD_GUARDED_BY(x) MLPROD_THREAD_ANNOTATION(guarded_by(x))
#define MLPROD_PT_GUARDED_BY(x) MLPROD_THREAD_ANNOTATION(pt_guarded_by(x))
#define MLPROD_REQUIRES(...) MLPROD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define MLPROD_ACQUIRE(...) MLPROD_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define MLPROD_RELEASE(...) MLPROD_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define MLPROD_TRY_ACQUIRE(...) MLPROD_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define MLPROD_EXCLUDES(...) MLPROD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define MLPROD_RETURN_CAPABILITY(x) MLPROD_THREAD_ANNOTATION(lock_returned(x))
// For the rare function whose locking the analysis cannot follow; say why beside it.
#define MLPROD_NO_THREAD_SAFETY_ANALYSIS MLPROD_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace mlprod {

// A std::mutex the analysis knows as a capability. Lock it with MutexLock.
class MLPROD_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() MLPROD_ACQUIRE() { mu_.lock(); }
  void unlock() MLPROD_RELEASE() { mu_.unlock(); }
  bool try_lock() MLPROD_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope (std::unique_lock underneath), with Unlock/Lock for a stretch
// run without it, and native() for condition variables.
class MLPROD_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) MLPROD_ACQUIRE(mu) : lock_(mu.mu_) {}
  // Takes over a mutex already held, e.g. after `if (mu.try_lock())`.
  MutexLock(Mutex& mu, std::adopt_lock_t) MLPROD_REQUIRES(mu) : lock_(mu.mu_, std::adopt_lock) {}
  ~MutexLock() MLPROD_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() MLPROD_RELEASE() { lock_.unlock(); }
  void Lock() MLPROD_ACQUIRE() { lock_.lock(); }
  // For std::condition_variable::wait and its kin, which unlock and relock it.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace mlprod
