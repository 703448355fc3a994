// Rollback and replay rules, decided from the branch's state.
#include "importer/release_state.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

Digest digest(char c) { return *Digest::from_hex(std::string(64, c)); }

BundleIndex bundle(std::uint64_t sequence, std::int64_t created, std::optional<std::int64_t> expires = {}) {
  BundleIndex index;
  index.name = "platform";
  index.version = "1." + std::to_string(sequence);
  index.sequence = sequence;
  index.created = created;
  index.expires = expires;
  return index;
}

SiteState state_with(std::uint64_t sequence, const Digest& d, std::int64_t created) {
  SiteState s;
  s.releases["platform"] = {sequence, "1.x", d, created, created + 60, "reg:5000", "site", "platform"};
  return s;
}

}  // namespace

TEST_CASE("a first import and a newer sequence are fresh", "[state]") {
  CHECK(decide_import({}, bundle(1, 1000), digest('a'), 2000, "git") == ImportDecision::fresh);
  CHECK(decide_import(state_with(1, digest('a'), 1000), bundle(2, 1500), digest('b'), 2000, "git") ==
        ImportDecision::fresh);
}

TEST_CASE("the same bundle again is a replay", "[state]") {
  CHECK(decide_import(state_with(3, digest('a'), 1000), bundle(3, 1000), digest('a'), 2000, "git") ==
        ImportDecision::replay);
}

TEST_CASE("an older sequence is a rollback, refused naming both bundles", "[state]") {
  REQUIRE_THROWS_MATCHES(decide_import(state_with(5, digest('a'), 1000), bundle(4, 900), digest('b'), 2000,
                                       "git x branch dev"),
                         VerificationError,
                         FailsWith(ExitCode::verification,
                                   {"rollback refused", digest('a').str(), digest('b').str(), "git x branch dev"}));
}

TEST_CASE("the same sequence with another bundle is refused naming both", "[state]") {
  REQUIRE_THROWS_MATCHES(decide_import(state_with(5, digest('a'), 1000), bundle(5, 1000), digest('b'), 2000, "git"),
                         VerificationError,
                         FailsWith(ExitCode::verification, {"sequence 5", digest('a').str(), digest('b').str()}));
}

TEST_CASE("expiry uses the last import's creation time as a clock floor", "[state]") {
  // The clock says 1500, before the expiry at 1800; but a bundle created at
  // 2000 was already imported, so time is at least 2000.
  const auto state = state_with(1, digest('a'), 2000);
  REQUIRE_THROWS_MATCHES(decide_import(state, bundle(2, 1000, 1800), digest('b'), 1500, "git"), VerificationError,
                         FailsWith(ExitCode::verification, {"expired"}));
  CHECK(decide_import(state, bundle(2, 1000, 2500), digest('b'), 1500, "git") == ImportDecision::fresh);
  CHECK(decide_import({}, bundle(2, 1000, 1800), digest('b'), 1500, "git") == ImportDecision::fresh);
}

TEST_CASE("state survives a round trip and unreadable state is refused", "[state]") {
  const auto s = state_with(7, digest('c'), 1700000000);
  const auto back = SiteState::parse(s.to_json(), "state");
  REQUIRE(back.releases.size() == 1);
  const auto& r = back.releases.at("platform");
  CHECK(r.sequence == 7);
  CHECK(r.bundle_digest == digest('c'));
  CHECK(r.created == 1700000000);
  CHECK(r.registry == "reg:5000");
  CHECK(r.prefix == "site");
  REQUIRE_THROWS_MATCHES(SiteState::parse("{\"formatVersion\": 1}", ".airlock/state.json"), VerificationError,
                         FailsWith(ExitCode::verification, {".airlock/state.json"}));
}
