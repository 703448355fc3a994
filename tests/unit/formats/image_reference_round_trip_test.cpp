// A reference that parses prints (str()) to text that parses to the same
// reference, up to the length limit.
#include "formats/image_reference.hpp"

#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

const std::string k_hex(64, 'e');

// A valid host of `n` characters: labels of up to 63 joined by dots.
std::string host_of(std::size_t n) {
  std::string host;
  while (host.size() < n) host += host.size() % 64 == 63 ? '.' : 'h';
  if (host.back() == '.') host.back() = 'h';
  return host;
}

void round_trips(const std::string& text) {
  CAPTURE(text);
  const auto ref = ImageReference::try_parse(text);
  REQUIRE(ref);
  const auto again = ImageReference::try_parse(ref->str());
  REQUIRE(again);
  CHECK(again->str() == ref->str());
  CHECK(again->registry == ref->registry);
  CHECK(again->repository == ref->repository);
  CHECK(again->tag == ref->tag);
  CHECK(again->digest == ref->digest);
}

}  // namespace

// Found by fuzz/fuzz_image_reference: a 511-character reference without a
// tag parsed, and its str() (":latest" added, 518 characters) did not.
TEST_CASE("a reference too long once its tag is written out is refused, naming it", "[image_reference]") {
  for (const std::size_t length : {506, 509, 511, 512}) {
    const std::string text = host_of(length - 4) + "/app";
    REQUIRE(text.size() == length);
    CAPTURE(text);
    CHECK_FALSE(ImageReference::try_parse(text));
    REQUIRE_THROWS_MATCHES(ImageReference::parse(text, "m.yaml:3"), UsageError,
                           FailsWith(ExitCode::usage, {"m.yaml:3", "\"" + text + "\"", "longer than 512 characters",
                                                       "written in full (" + std::to_string(length + 7)}));
  }
}

TEST_CASE("references up to the limit written in full round-trip through str()", "[image_reference]") {
  round_trips(host_of(501) + "/app");  // 505 + ":latest" = 512
  round_trips(host_of(497) + "/app:latest");
  round_trips(host_of(512 - 4 - 72) + "/app@sha256:" + k_hex);  // no tag added to a digest
  round_trips(std::string(247, 'a'));                           // docker.io/library/ + 247
  round_trips("index.docker.io/" + std::string(200, 'a') + ":" + std::string(128, 't'));
  round_trips("[fd00::1]:5000/x/y@sha256:" + k_hex);
  round_trips("localhost/a/b:c@sha256:" + k_hex);
}
