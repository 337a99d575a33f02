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
//
// Two rarer kinds: a RecursiveMutex (RecursiveMutexLock), for a callback that may come back
// into its own owner on the same thread, and a SharedMutex, taken by WriterLock for changes
// and ReaderLock for reads (MLPROD_REQUIRES_SHARED on functions that only read). Clang 14 does
// not model re-entry: a second lock of a RecursiveMutex in one function body is reported, one
// through a call (the only use) is not.
#pragma once

#include <mutex>
#include <shared_mutex>

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
#define MLPROD_REQUIRES_SHARED(...) \
  MLPROD_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define MLPROD_ACQUIRE_SHARED(...) MLPROD_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define MLPROD_RELEASE_SHARED(...) MLPROD_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
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

// A std::recursive_mutex as a capability: the thread holding it may take it again.
class MLPROD_CAPABILITY("mutex") RecursiveMutex {
 public:
  RecursiveMutex() = default;
  RecursiveMutex(const RecursiveMutex&) = delete;
  RecursiveMutex& operator=(const RecursiveMutex&) = delete;

  void lock() MLPROD_ACQUIRE() { mu_.lock(); }
  void unlock() MLPROD_RELEASE() { mu_.unlock(); }

 private:
  std::recursive_mutex mu_;
};

class MLPROD_SCOPED_CAPABILITY RecursiveMutexLock {
 public:
  explicit RecursiveMutexLock(RecursiveMutex& mu) MLPROD_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~RecursiveMutexLock() MLPROD_RELEASE() { mu_.unlock(); }
  RecursiveMutexLock(const RecursiveMutexLock&) = delete;
  RecursiveMutexLock& operator=(const RecursiveMutexLock&) = delete;

 private:
  RecursiveMutex& mu_;
};

// A std::shared_mutex as a capability: one writer (WriterLock) or many readers (ReaderLock).
class MLPROD_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() MLPROD_ACQUIRE() { mu_.lock(); }
  void unlock() MLPROD_RELEASE() { mu_.unlock(); }
  void lock_shared() MLPROD_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() MLPROD_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class MLPROD_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) MLPROD_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() MLPROD_RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class MLPROD_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) MLPROD_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() MLPROD_RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace mlprod
