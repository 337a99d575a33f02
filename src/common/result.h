// Result<T> and Status: expected failures as values (abseil StatusOr / leveldb Status style).
// Not for broken invariants: those abort. Immutable values; safe to share between threads.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mlprod {

enum class ErrorCode {
  kInvalidArgument,   // the caller's input is wrong (HTTP 422/400)
  kNotFound,          // no such entity (404)
  kConflict,          // state does not allow it (409)
  kUnauthenticated,   // missing or wrong credentials (401)
  kUnavailable,       // a dependency is down; retrying may help (503)
  kDeadlineExceeded,  // an I/O deadline passed (504/503)
  kDataLoss,          // stored data is damaged (a model file, a TSV)
  kInternal,          // a bug or an unexpected library error (500)
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return Check(), std::get<0>(v_); }
  const T& value() const& { return Check(), std::get<0>(v_); }
  T&& value() && { return Check(), std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  void Check() const {
    if (!ok()) {
      std::cerr << "fatal: Result::value() on error: " << error().message << '\n';
      std::abort();
    }
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace mlprod

// Propagates an error from an expression returning Result/Status.
#define MLPROD_RETURN_IF_ERROR(expr) \
  do {                               \
    auto mlprod_status_ = (expr);    \
    if (!mlprod_status_.ok()) {      \
      return mlprod_status_.error(); \
    }                                \
  } while (false)
