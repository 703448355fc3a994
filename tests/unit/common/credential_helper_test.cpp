// The helper protocol's failure paths, with small helper scripts on PATH
// (the real helper, docker-credential-pass, is exercised by
// tests/integration/test_credential_helpers.sh).
#include "common/credential_helper.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

// A directory of helper scripts put first on PATH for the test's lifetime.
class HelperDir {
public:
  HelperDir() : m_old(std::getenv("PATH") ? std::getenv("PATH") : "") {
    ::setenv("PATH", (m_dir.path().string() + ":" + m_old).c_str(), 1);
  }
  HelperDir(const HelperDir&) = delete;
  HelperDir& operator=(const HelperDir&) = delete;
  ~HelperDir() { ::setenv("PATH", m_old.c_str(), 1); }

  void add(const std::string& name, const std::string& body) {
    const auto path = m_dir.path() / ("docker-credential-" + name);
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }
  [[nodiscard]] std::filesystem::path path() const { return m_dir.path(); }

private:
  TempDir m_dir{"airlock-unit"};
  std::string m_old;
};

}  // namespace

TEST_CASE("a credential helper's answer is read from its stdout, the server from its stdin", "[credential_helper]") {
  HelperDir dir;
  dir.add("echo", R"(read -r server; [ "$1" = get ] || exit 9
printf '{"ServerURL":"%s","Username":"u-%s","Secret":"s"}' "$server" "$server")");
  const auto c = run_credential_helper("echo", "reg.example:5000", std::chrono::seconds(10));
  REQUIRE(c);
  CHECK(c->username == "u-reg.example:5000");
  CHECK(c->secret == "s");
}

TEST_CASE("a credential helper that has nothing for the server", "[credential_helper]") {
  HelperDir dir;
  dir.add("notfound", "echo 'credentials not found in native keychain'; exit 1");
  dir.add("empty", R"(printf '{"ServerURL":"x","Username":"","Secret":""}')");
  CHECK_FALSE(run_credential_helper("notfound", "reg.example", std::chrono::seconds(10)));
  CHECK_FALSE(run_credential_helper("empty", "reg.example", std::chrono::seconds(10)));
}

TEST_CASE("a credential helper that is missing, fails, hangs or answers nonsense", "[credential_helper]") {
  HelperDir dir;
  dir.add("fails", "echo 'the keyring is locked' >&2; exit 3");
  dir.add("garbage", "echo 'hello'");
  dir.add("hangs", "exec sleep 30");
  REQUIRE_THROWS_MATCHES(run_credential_helper("airlock-nosuch", "reg.example", std::chrono::seconds(10)), UsageError,
                         FailsWith(ExitCode::usage,
                                   {"docker-credential-airlock-nosuch is not installed", "reg.example"}));
  REQUIRE_THROWS_MATCHES(run_credential_helper("fails", "reg.example", std::chrono::seconds(10)), UsageError,
                         FailsWith(ExitCode::usage,
                                   {"docker-credential-fails", "exited with status 3", "the keyring is locked"}));
  REQUIRE_THROWS_MATCHES(run_credential_helper("garbage", "reg.example", std::chrono::seconds(10)), UsageError,
                         FailsWith(ExitCode::usage,
                                   {"docker-credential-garbage", "not {\"Username\", \"Secret\"} JSON"}));
  REQUIRE_THROWS_MATCHES(run_credential_helper("../x", "reg.example", std::chrono::seconds(10)), UsageError,
                         FailsWith(ExitCode::usage, {"is not a helper name"}));
  const auto start = std::chrono::steady_clock::now();
  REQUIRE_THROWS_MATCHES(run_credential_helper("hangs", "reg.example", std::chrono::seconds(1)), UsageError,
                         FailsWith(ExitCode::usage, {"docker-credential-hangs", "no answer within 1 s"}));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}
