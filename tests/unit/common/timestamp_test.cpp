#include "common/timestamp.hpp"

#include <catch2/catch.hpp>

#include <ctime>

using airlock::format_utc;
using airlock::parse_utc;

TEST_CASE("format_utc writes RFC 3339 UTC with Z and whole seconds", "[timestamp]") {
  CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(format_utc(1700000000) == "2023-11-14T22:13:20Z");
  CHECK(format_utc(951782400) == "2000-02-29T00:00:00Z");  // leap day of a century leap year
  CHECK(format_utc(4102444799) == "2099-12-31T23:59:59Z");
}

TEST_CASE("parse_utc inverts format_utc", "[timestamp]") {
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1}, std::int64_t{951782400}, std::int64_t{1700000000},
                         std::int64_t{1709208000}, std::int64_t{4102444799}}) {
    CAPTURE(t);
    const auto parsed = parse_utc(format_utc(t));
    REQUIRE(parsed);
    CHECK(*parsed == t);
  }
  CHECK(parse_utc("2024-02-29T12:00:00Z") == std::optional<std::int64_t>(1709208000));
}

TEST_CASE("parse_utc accepts exactly YYYY-MM-DDTHH:MM:SSZ", "[timestamp]") {
  for (const char* bad : {
           "",
           "2024-01-01T00:00:00",        // no Z
           "2024-01-01T00:00:00z",       // lowercase z
           "2024-01-01 00:00:00Z",       // space separator
           "2024-01-01T00:00:00+00:00",  // offset
           "2024-01-01T00:00:00.5Z",     // fractional seconds
           "2024-1-01T00:00:00Z",
           "2024-13-01T00:00:00Z",  // month 13
           "2024-01-32T00:00:00Z",
           "2024-01-01T24:00:00Z",
           "2024-01-01T00:60:00Z",
           "2023-02-29T00:00:00Z",  // not a leap year: timegm would roll it to March
           "2024-02-30T00:00:00Z",
           "2024-04-31T00:00:00Z",
           " 2024-01-01T00:00:00Z",
           "2024-01-01T00:00:00Z ",
       }) {
    CAPTURE(bad);
    CHECK_FALSE(parse_utc(bad));
  }
}

TEST_CASE("unix_now is the wall clock", "[timestamp]") {
  const std::int64_t before = std::time(nullptr);
  const std::int64_t now = airlock::unix_now();
  const std::int64_t after = std::time(nullptr);
  CHECK(now >= before);
  CHECK(now <= after);
  CHECK(now > 1700000000);  // not seconds since boot or some other epoch
}
