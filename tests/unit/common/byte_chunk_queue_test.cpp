// The bounded queue between the streaming pipelines' threads: order,
// backpressure, both sides ending early, errors passed across. (Catch2's
// assertions are not thread-safe: the helper threads record, the test's
// thread checks.)
#include "common/byte_chunk_queue.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

using namespace airlock;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 31 + i / 256);
  return v;
}

}  // namespace

TEST_CASE("byte chunk queue: bytes arrive in order, whatever the push and read sizes", "[byte_chunk_queue]") {
  const auto data = pattern(1 << 20);
  ByteChunkQueue q(64 * 1024, 16 * 1024);
  std::atomic<bool> all_taken{true};
  std::thread producer([&] {
    std::size_t pos = 0;
    for (std::size_t step = 1; pos < data.size(); step = step * 3 % 40000 + 1) {
      const std::size_t n = std::min(step, data.size() - pos);
      if (!q.push(std::span(data).subspan(pos, n))) all_taken = false;
      pos += n;
    }
    q.close();
  });
  std::vector<std::uint8_t> got;
  std::uint8_t buf[7000];
  bool use_pop = false;
  for (;;) {
    if (use_pop) {
      auto c = q.pop();
      if (!c) break;
      got.insert(got.end(), c->begin(), c->end());
    } else {
      const std::size_t n = q.read(buf, sizeof buf);
      if (n == 0) break;
      got.insert(got.end(), buf, buf + n);
    }
    use_pop = !use_pop;
  }
  producer.join();
  CHECK(all_taken);
  CHECK(got == data);
  CHECK(q.pushed() == data.size());
}

TEST_CASE("byte chunk queue: a full queue blocks the producer (bounded memory)", "[byte_chunk_queue]") {
  const auto data = pattern(1 << 20);
  ByteChunkQueue q(100000);
  std::atomic<std::uint64_t> pushed{0};
  std::thread producer([&] {
    for (std::size_t pos = 0; pos < data.size(); pos += 10000) {
      if (!q.push(std::span(data).subspan(pos, std::min<std::size_t>(10000, data.size() - pos)))) break;
      pushed = pos + 10000;
    }
    q.close();
  });
  std::this_thread::sleep_for(100ms);
  CHECK(q.buffered() <= 100000);
  CHECK(pushed <= 100000);
  std::size_t total = 0;
  std::uint8_t buf[4096];
  while (const std::size_t n = q.read(buf, sizeof buf)) {
    CHECK(q.buffered() <= 100000);
    total += n;
  }
  producer.join();
  CHECK(total == data.size());
}

TEST_CASE("byte chunk queue: the producer's error reaches the consumer after its bytes", "[byte_chunk_queue]") {
  ByteChunkQueue q(1000);
  const auto data = pattern(500);
  REQUIRE(q.push(data));
  q.fail(std::make_exception_ptr(std::runtime_error("upstream broke")));
  auto c = q.pop();
  REQUIRE(c);
  CHECK(*c == data);
  CHECK_THROWS_WITH(q.pop(), "upstream broke");
}

TEST_CASE("byte chunk queue: the consumer stops, a blocked producer wakes", "[byte_chunk_queue]") {
  ByteChunkQueue q(1000);
  const auto data = pattern(5000);
  SECTION("without a reason: push returns false") {
    std::atomic<bool> result{true};
    std::thread producer([&] { result = q.push(data); });
    std::this_thread::sleep_for(50ms);
    q.stop();
    producer.join();
    CHECK_FALSE(result);
    CHECK(q.buffered() == 0);
  }
  SECTION("with a reason: push rethrows it") {
    std::string thrown;
    std::thread producer([&] {
      try {
        (void)q.push(data);
      } catch (const std::runtime_error& e) {
        thrown = e.what();
      }
    });
    std::this_thread::sleep_for(50ms);
    q.stop(std::make_exception_ptr(std::runtime_error("registry said no")));
    producer.join();
    CHECK(thrown == "registry said no");
  }
}

TEST_CASE("byte chunk queue: the producer abandons, a blocked consumer wakes", "[byte_chunk_queue]") {
  ByteChunkQueue q(1000);
  std::size_t read = 99;
  std::thread consumer([&] {
    std::uint8_t buf[10];
    read = q.read(buf, sizeof buf);
  });
  std::this_thread::sleep_for(50ms);
  q.abandon();
  consumer.join();
  CHECK(read == 0);

  SECTION("abandoning after close drops what was not read") {
    ByteChunkQueue r(1000);
    REQUIRE(r.push(pattern(100)));
    r.close();
    r.abandon();
    CHECK_FALSE(r.pop());
  }
}

TEST_CASE("byte chunk queue: on_starve runs only mid-stream", "[byte_chunk_queue]") {
  ByteChunkQueue q(1000);
  std::vector<int> starved_at;  // how many chunks the consumer had when it starved
  std::thread producer([&] {
    std::this_thread::sleep_for(30ms);
    (void)q.push(pattern(10));
    std::this_thread::sleep_for(30ms);
    (void)q.push(pattern(10));
    q.close();
  });
  int chunks = 0;
  while (q.pop([&] { starved_at.push_back(chunks); })) ++chunks;
  producer.join();
  CHECK(chunks == 2);
  // Not before the first byte; before the second chunk (and perhaps before
  // the end, if the consumer asked before close()).
  REQUIRE(!starved_at.empty());
  CHECK(starved_at.front() == 1);
}
