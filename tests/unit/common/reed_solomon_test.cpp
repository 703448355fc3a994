#include "common/reed_solomon.hpp"

#include "common/error.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using namespace airlock;

namespace {

std::vector<std::vector<std::uint8_t>> shards(int data, int parity, std::size_t len, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<std::uint8_t>> out(static_cast<std::size_t>(data + parity), std::vector<std::uint8_t>(len));
  for (int i = 0; i < data; ++i)
    for (auto& b : out[static_cast<std::size_t>(i)]) b = static_cast<std::uint8_t>(rng());
  return out;
}

}  // namespace

TEST_CASE("ReedSolomon recovers any `data` of the shards, whichever are lost", "[reed_solomon]") {
  const int data = GENERATE(1, 3, 10);
  const int parity = GENERATE(1, 2, 4);
  const std::size_t len = 1000;
  const ReedSolomon rs(data, parity);
  auto s = shards(data, parity, len, static_cast<unsigned>(data * 31 + parity));
  std::vector<const std::uint8_t*> in;
  std::vector<std::uint8_t*> out;
  for (int i = 0; i < data + parity; ++i) (i < data ? in.push_back(s[i].data()) : out.push_back(s[i].data()));
  rs.encode(len, in, out);
  const auto original = s;
  // Every way of losing `parity` shards, for the small shapes; a sample for the larger.
  const int total = data + parity;
  for (unsigned mask = 0; mask < (1U << total); ++mask) {
    if (__builtin_popcount(mask) != parity || (total > 8 && mask % 7 != 0)) continue;
    auto damaged = original;
    std::vector<bool> present(static_cast<std::size_t>(total), true);
    std::vector<std::uint8_t*> ptrs;
    for (int i = 0; i < total; ++i) {
      if (mask & (1U << i)) {
        present[static_cast<std::size_t>(i)] = false;
        std::fill(damaged[i].begin(), damaged[i].end(), 0xAA);
      }
      ptrs.push_back(damaged[i].data());
    }
    CAPTURE(data, parity, mask);
    REQUIRE(rs.recover(len, ptrs, present));
    for (int i = 0; i < data; ++i) REQUIRE(damaged[i] == original[i]);
  }
}

TEST_CASE("ReedSolomon refuses too few shards and impossible shapes", "[reed_solomon]") {
  const ReedSolomon rs(3, 2);
  auto s = shards(3, 2, 64, 7);
  std::vector<std::uint8_t*> ptrs;
  for (auto& x : s) ptrs.push_back(x.data());
  CHECK_FALSE(rs.recover(64, ptrs, {false, false, true, true, false}));
  CHECK(rs.recover(64, ptrs, {true, true, true, false, false}));  // nothing missing among the data
  CHECK_THROWS_AS(ReedSolomon(0, 1), Error);
  CHECK_THROWS_AS(ReedSolomon(200, 56), Error);
  CHECK_NOTHROW(ReedSolomon(200, 55));
}
