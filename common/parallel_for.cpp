#include "common/parallel_for.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace airlock {

void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task) {
  std::mutex mutex;
  std::size_t next = 0;
  std::map<std::size_t, std::exception_ptr> failed;  // guarded by `mutex`
  const auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(mutex);
        if (next >= count || !failed.empty()) return;
        i = next++;
      }
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        failed.emplace(i, std::current_exception());
      }
    }
  };
  std::vector<std::thread> helpers;
  const std::size_t n = std::min(std::max<std::size_t>(1, threads), count);
  try {
    for (std::size_t t = 1; t < n; ++t) helpers.emplace_back(work);
  } catch (const std::system_error&) {
    // No more threads to be had: the ones there are do the work.
  }
  work();
  for (auto& h : helpers) h.join();
  if (!failed.empty()) std::rethrow_exception(failed.begin()->second);
}

void parallel_for_after_first(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task) {
  if (count == 0) return;
  task(0);
  parallel_for(count - 1, threads, [&](std::size_t i) { task(i + 1); });
}

}  // namespace airlock
