#pragma once
// A few independent tasks at once: the many small registry requests of a
// release of many images (a manifest each, a mount each) are latency, not
// bandwidth, so they overlap.

#include <cstddef>
#include <functional>

namespace airlock {

// Runs task(i) for every i in [0, count) on up to `threads` threads, the
// calling one among them, each i once, in increasing order of start. Once a
// task throws, no further task starts; when the running ones have ended, the
// exception of the lowest i that threw is rethrown (the same failure that a
// serial loop would report first, whatever the timing).
void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task);

// The same after task(0) has run alone: the first request to a registry
// meets its auth challenge, and the tasks after it then need no 401 each.
void parallel_for_after_first(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task);

}  // namespace airlock
