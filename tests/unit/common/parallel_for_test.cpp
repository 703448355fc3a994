// parallel_for: every task once, overlapping, and the failure a serial loop
// would report first.
#include "common/parallel_for.hpp"

#include "common/error.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace airlock;
using namespace std::chrono_literals;

TEST_CASE("parallel_for: each task once, on up to `threads` threads at a time", "[parallel_for]") {
  std::mutex mutex;
  std::multiset<std::size_t> ran;
  std::atomic<int> running{0}, most{0};
  parallel_for(40, 3, [&](std::size_t i) {
    const int now = ++running;
    for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {}
    std::this_thread::sleep_for(2ms);
    --running;
    std::lock_guard lock(mutex);
    ran.insert(i);
  });
  CHECK(ran.size() == 40);
  for (std::size_t i = 0; i < 40; ++i) CHECK(ran.count(i) == 1);
  CHECK(most <= 3);
  CHECK(most >= 2);  // they overlapped
  parallel_for(0, 3, [&](std::size_t) { FAIL("no task for count 0"); });
}

TEST_CASE("parallel_for: the lowest failing task's error, and no task starts after a failure", "[parallel_for]") {
  std::atomic<std::size_t> started{0};
  const auto run = [&] {
    parallel_for(100, 4, [&](std::size_t i) {
      ++started;
      // Task 7 fails late, task 9 at once: a serial loop would meet 7 first.
      if (i == 7) {
        std::this_thread::sleep_for(50ms);
        throw RemoteError("task 7 failed");
      }
      if (i == 9) throw RemoteError("task 9 failed");
      std::this_thread::sleep_for(5ms);  // 100 tasks take 125 ms at least: the failures come long before
    });
  };
  REQUIRE_THROWS_WITH(run(), "task 7 failed");
  CHECK(started < 50);
}

TEST_CASE("parallel_for_after_first: the first task runs alone, before any other starts", "[parallel_for]") {
  std::atomic<bool> first_done{false};
  std::atomic<int> early{0};
  parallel_for_after_first(10, 4, [&](std::size_t i) {
    if (i == 0) {
      std::this_thread::sleep_for(30ms);
      first_done = true;
    } else if (!first_done) {
      ++early;
    }
  });
  CHECK(early == 0);
  REQUIRE_THROWS_WITH(parallel_for_after_first(10, 4,
                                               [](std::size_t i) {
                                                 if (i == 0) throw RemoteError("first failed");
                                                 FAIL("nothing runs after the first failed");
                                               }),
                      "first failed");
}
