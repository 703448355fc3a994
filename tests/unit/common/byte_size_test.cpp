#include "common/byte_size.hpp"

#include <catch2/catch.hpp>

using namespace airlock;

TEST_CASE("parse_byte_size reads sizes as people write them", "[byte_size]") {
  CHECK(parse_byte_size("1048576") == 1048576U);
  CHECK(parse_byte_size("700MB") == 700'000'000U);
  CHECK(parse_byte_size("700mb") == 700'000'000U);
  CHECK(parse_byte_size("4GiB") == 4ULL << 30);
  CHECK(parse_byte_size("4000MiB") == 4000ULL << 20);
  CHECK(parse_byte_size("25G") == 25'000'000'000U);
  CHECK(parse_byte_size("600KB") == 600'000U);
  CHECK(parse_byte_size("2TiB") == 2ULL << 40);
  for (const auto* bad :
       {"", "MB", "12XB", "1.5GB", "-1", "0", "0MB", " 1", "1 MB", "99999999999999999999", "9000000000TiB"})
    CHECK_FALSE(parse_byte_size(bad));
}
