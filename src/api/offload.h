// Runs a blocking call (store, broker) on the blocking thread pool from a coroutine on an I/O
// thread, resuming the coroutine on its own executor afterwards. Header-only; thread-safe.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

#include "common/deadline.h"

namespace mlprod::api {

// f's result must be default-constructible; an exception from f is rethrown in the caller. f
// runs under a DeadlineScope of `deadline`: the store bounds its waits by it.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> Offload(boost::asio::thread_pool& pool,
                                                         Clock::SteadyTime deadline, F f) {
  using R = std::invoke_result_t<F&>;
  co_return co_await boost::asio::co_spawn(
      pool,
      [f = std::move(f), deadline]() mutable -> boost::asio::awaitable<R> {
        const DeadlineScope scope(deadline);
        co_return f();
      },
      boost::asio::use_awaitable);
}

}  // namespace mlprod::api
