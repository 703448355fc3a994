// The prefetcher with synthetic blob sources: the archive's order kept,
// each fetch bounded by its buffer, the window (two, widening when the
// writer starves mid-blob), errors from either side, abandonment.
#include "packer/blob_prefetcher.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace airlock;
using namespace std::chrono_literals;

namespace {

struct Source {
  std::vector<SourcedBlob> blobs;
  std::atomic<int> started{0};
  std::atomic<std::uint64_t> produced{0};

  // `count` blobs of `size` bytes (byte k of blob i is i + k), pushed in
  // pieces of `piece` bytes, with `pause` between pieces.
  Source(std::size_t count, std::size_t size, std::size_t piece, std::chrono::milliseconds pause = 0ms) {
    for (std::size_t i = 0; i < count; ++i) {
      SourcedBlob b;
      b.descriptor.size = size;
      b.origin = "test blob " + std::to_string(i);
      b.stream = [this, i, size, piece, pause](const ByteSink& sink) {
        ++started;
        std::vector<std::uint8_t> buf(piece);
        for (std::size_t pos = 0; pos < size; pos += piece) {
          const std::size_t n = std::min(piece, size - pos);
          for (std::size_t k = 0; k < n; ++k) buf[k] = static_cast<std::uint8_t>(i + pos + k);
          if (pause > 0ms) std::this_thread::sleep_for(pause);
          sink(std::span(buf).first(n));
          produced += n;
        }
      };
      blobs.push_back(std::move(b));
    }
  }
  [[nodiscard]] std::vector<const SourcedBlob*> pointers() const {
    std::vector<const SourcedBlob*> v;
    for (const auto& b : blobs) v.push_back(&b);
    return v;
  }
};

bool intact(const std::vector<std::uint8_t>& got, std::size_t i, std::size_t size) {
  if (got.size() != size) return false;
  for (std::size_t k = 0; k < size; ++k)
    if (got[k] != static_cast<std::uint8_t>(i + k)) return false;
  return true;
}

}  // namespace

TEST_CASE("blob prefetcher: every blob arrives whole and in the index's order", "[blob_prefetcher]") {
  Source src(12, 300000, 16384);
  BlobPrefetcher p(src.pointers(), 4, 64 * 1024);
  for (std::size_t i = 0; i < src.blobs.size(); ++i) {
    std::vector<std::uint8_t> got;
    p.stream(i, [&](std::span<const std::uint8_t> d) { got.insert(got.end(), d.begin(), d.end()); });
    CHECK(intact(got, i, 300000));
  }
}

TEST_CASE("blob prefetcher: fetches run at most the window ahead, each within its buffer", "[blob_prefetcher]") {
  Source src(8, 1 << 20, 16384);
  const std::size_t buffer = 128 * 1024;
  BlobPrefetcher p(src.pointers(), 4, buffer);
  std::this_thread::sleep_for(200ms);
  // The window starts at two; each started fetch stops at its buffer.
  CHECK(src.started == 2);
  CHECK(src.produced <= 2 * buffer);
  for (std::size_t i = 0; i < src.blobs.size(); ++i) {
    std::size_t n = 0;
    p.stream(i, [&](std::span<const std::uint8_t> d) { n += d.size(); });
    CHECK(n == (1u << 20));
  }
}

TEST_CASE("blob prefetcher: a writer that starves mid-blob widens the window", "[blob_prefetcher]") {
  Source src(6, 200000, 20000, 20ms);  // a slow network
  BlobPrefetcher p(src.pointers(), 4, 1 << 20);
  std::this_thread::sleep_for(50ms);
  CHECK(src.started == 2);
  std::size_t n = 0;
  p.stream(0, [&](std::span<const std::uint8_t> d) { n += d.size(); });
  CHECK(n == 200000);
  std::this_thread::sleep_for(50ms);
  CHECK(src.started >= 4);  // blob 1 and more began while blob 0 trickled in
  for (std::size_t i = 1; i < src.blobs.size(); ++i) p.stream(i, [](std::span<const std::uint8_t>) {});
}

TEST_CASE("blob prefetcher: a fetch's error reaches the writer at that blob", "[blob_prefetcher]") {
  Source src(3, 100000, 10000);
  src.blobs[1].stream = [](const ByteSink& sink) {
    const std::vector<std::uint8_t> some(5000, 7);
    sink(some);
    throw std::runtime_error("registry example.com: blob org/app@sha256:...: connection kept dropping");
  };
  BlobPrefetcher p(src.pointers(), 3, 64 * 1024);
  std::size_t n0 = 0, n1 = 0;
  p.stream(0, [&](std::span<const std::uint8_t> d) { n0 += d.size(); });
  CHECK(n0 == 100000);
  CHECK_THROWS_WITH(p.stream(1, [&](std::span<const std::uint8_t> d) { n1 += d.size(); }),
                    Catch::Contains("connection kept dropping"));
  CHECK(n1 == 5000);  // the bytes before the failure came first
}

TEST_CASE("blob prefetcher: abandoned by the writer, blocked fetches unwind", "[blob_prefetcher]") {
  Source src(6, 4 << 20, 16384);
  const auto start = std::chrono::steady_clock::now();
  SECTION("before it read anything") {
    BlobPrefetcher p(src.pointers(), 4, 64 * 1024);
    std::this_thread::sleep_for(50ms);
  }
  SECTION("when the writer's sink throws mid-blob") {
    BlobPrefetcher p(src.pointers(), 4, 64 * 1024);
    std::size_t n = 0;
    CHECK_THROWS_WITH(p.stream(0,
                               [&](std::span<const std::uint8_t> d) {
                                 n += d.size();
                                 if (n > 100000) throw std::runtime_error("disk full");
                               }),
                      "disk full");
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(src.produced < 6u * (4 << 20));
}
