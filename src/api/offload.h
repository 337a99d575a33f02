// Runs a blocking call (store, broker) on the blocking thread pool from a coroutine on an I/O
// thread, resuming the coroutine on its own executor afterwards. Header-only; thread-safe.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace mlprod::api {

// f's result must be default-constructible; an exception from f is rethrown in the caller.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> Offload(boost::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  co_return co_await boost::asio::co_spawn(
      pool, [f = std::move(f)]() mutable -> boost::asio::awaitable<R> { co_return f(); },
      boost::asio::use_awaitable);
}

}  // namespace mlprod::api
