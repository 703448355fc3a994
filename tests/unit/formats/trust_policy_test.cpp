#include "formats/trust_policy.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"
#include "common/timestamp.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

struct PolicyDir {
  TempDir dir{"airlock-unit"};
  std::string ida, idb;
  PolicyDir() {
    const auto a = SigningKey::generate().public_key(), b = SigningKey::generate().public_key();
    std::ofstream(dir.path() / "a.pub") << a.pem();
    std::ofstream(dir.path() / "b.pub") << b.pem();
    ida = a.keyid();
    idb = b.keyid();
  }
  std::filesystem::path write(const std::string& text) const {
    const auto p = dir.path() / "policy.yaml";
    std::ofstream(p) << text;
    return p;
  }
};

}  // namespace

TEST_CASE("a trust policy: keys relative to the file, threshold, expiry", "[trust_policy]") {
  PolicyDir d;
  const auto policy = TrustPolicy::load(d.write("threshold: 2\nkeys:\n  - path: a.pub\n"
                                                "  - {path: b.pub, expires: \"2030-01-01T00:00:00Z\"}\n"));
  CHECK(policy.threshold == 2);
  REQUIRE(policy.keys.size() == 2);
  CHECK(policy.keys[0].key.keyid() == d.ida);
  CHECK(policy.keys[0].key.source() == (d.dir.path() / "a.pub").string());
  CHECK_FALSE(policy.keys[0].expires);
  CHECK(policy.keys[1].expires == parse_utc("2030-01-01T00:00:00Z"));

  const auto before = policy.keys_at(*parse_utc("2029-12-31T23:59:59Z"));
  CHECK(before.keys.size() == 2);
  CHECK(before.expired.empty());
  const auto after = policy.keys_at(*parse_utc("2030-01-01T00:00:00Z"));
  REQUIRE(after.keys.size() == 1);
  CHECK(after.keys[0].keyid() == d.ida);
  REQUIRE(after.expired.size() == 1);
  CHECK(after.expired[0].find(d.idb + " (") == 0);
  CHECK(after.expired[0].find("expired at 2030-01-01T00:00:00Z") != std::string::npos);

  CHECK(TrustPolicy::load(d.write("keys: [{path: a.pub}]\n")).threshold == 1);
}

TEST_CASE("a trust policy's defects name file and line", "[trust_policy]") {
  PolicyDir d;
  const auto file = (d.dir.path() / "policy.yaml").string();
  const auto fails = [&](const std::string& text, std::initializer_list<std::string> parts) {
    INFO(text);
    REQUIRE_THROWS_MATCHES(TrustPolicy::load(d.write(text)), UsageError, FailsWith(ExitCode::usage, parts));
  };
  fails("threshold: 0\nkeys: [{path: a.pub}]\n", {file + ":1", "threshold \"0\" must be a positive integer"});
  fails("threshold: two\nkeys: [{path: a.pub}]\n", {file + ":1", "threshold \"two\""});
  fails("threshold: 2\nkeys: [{path: a.pub}]\n", {file + ":1", "threshold 2 is more than the 1 keys listed"});
  fails("keys: []\n", {file, "\"keys\" must list at least one key"});
  fails("threshold: 1\n", {file, "\"keys\" must list at least one key"});
  fails("keys:\n  - a.pub\n", {file + ":2", "a key must be a mapping"});
  fails("keys:\n  - {expires: \"2030-01-01T00:00:00Z\"}\n", {file + ":2", "a key needs \"path\""});
  fails("keys:\n  - {path: a.pub, expires: tomorrow}\n", {file + ":2", "expires \"tomorrow\""});
  fails("keys:\n  - {path: a.pub}\n  - {path: ./a.pub}\n", {file + ":3", d.ida, "listed twice"});
  fails("signers: 2\nkeys: [{path: a.pub}]\n", {file + ":1", "unknown key \"signers\""});
  fails("keys: [{path: a.pub}\n", {file, "not valid YAML"});
  fails("- a.pub\n", {file, "must be a YAML mapping"});
}
