// Snapshots of branches of real bare remotes (file://, git daemon's git://,
// git http-backend behind TLS and basic auth), fetched through libgit2 and
// checked with the git CLI; and the errors of remotes that cannot be used.
#include "importer/git_branch.hpp"
#include "importer/git_promote.hpp"

#include "common/scope_guard.hpp"
#include "tests/unit/error_matcher.hpp"
#include "tests/unit/git_test_remote.hpp"
#include "tests/unit/importer/git_commit_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace airlock;
using namespace airlock::test;
using Catch::Matchers::Contains;

TEST_CASE("fetching an empty remote or a missing branch gives an empty snapshot", "[git][git_branch]") {
  set_identity();
  BareRemote remote;
  const auto empty = fetch_branch(remote.url, "dev", {});
  CHECK(empty.url() == remote.url);
  CHECK(empty.branch() == "dev");
  CHECK_FALSE(empty.commit());
  CHECK_FALSE(empty.read("demo/app.yaml"));
  CHECK(empty.list("").empty());

  (void)commit_files(remote.url, "main", {{"a.yaml", "a: 1\n"}}, "on main");
  const auto missing = fetch_branch(remote.url, "dev", {});
  CHECK_FALSE(missing.commit());
  CHECK(missing.list("").empty());
}

TEST_CASE("remotes that cannot be used are remote or usage errors naming them", "[git][git_branch]") {
  set_identity();
  TempDir dir("airlock-git-test");
  const auto url = "file://" + (dir.path() / "none.git").string();
  REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {url, "dev"}));
  REQUIRE_THROWS_MATCHES(commit_files(url, "dev", {{"a", "a"}}, "m"), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev"}));
  REQUIRE_THROWS_MATCHES(promote_branch(url, "dev", "prod", {}), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev", "prod"}));
  REQUIRE_THROWS_MATCHES(fetch_branch("http://user:secret@git.example/r.git", "dev", {}), UsageError,
                         FailsWith(ExitCode::usage, {"unsupported URL", "user:***@git.example"}));
  REQUIRE_THROWS_MATCHES(fetch_branch("ftp://git.example/r.git", "dev", {}), UsageError,
                         FailsWith(ExitCode::usage, {"ftp://git.example/r.git"}));
  REQUIRE_THROWS_MATCHES(fetch_branch(url, "bad..name", {}), UsageError, FailsWith(ExitCode::usage, {"bad..name"}));
  GitOptions missing_key;
  missing_key.ssh_key = dir.path() / "no-key";
  REQUIRE_THROWS_MATCHES(fetch_branch("ssh://git@git.example/r.git", "dev", missing_key), UsageError,
                         FailsWith(ExitCode::usage, {"no-key"}));
}

TEST_CASE("update, fetch and promote over git:// (git daemon)", "[git][git_branch]") {
  set_identity();
  TempDir served("airlock-git-test");
  const auto repo = (served.path() / "net.git").string();
  REQUIRE(run("git init -q --bare " + q(repo)) == 0);
  REQUIRE(run("git --git-dir=" + q(repo) + " config daemon.receivepack true") == 0);
  Server daemon({"git", "daemon", "--reuseaddr", "--base-path=" + served.path().string(), "--export-all",
                 "--enable=receive-pack", "--listen=127.0.0.1", "--port=PORT", served.path().string()});
  const auto url = "git://127.0.0.1:" + std::to_string(daemon.port()) + "/net.git";

  CHECK_FALSE(fetch_branch(url, "dev", {}).commit());
  const auto r = commit_files(url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "over git://");
  REQUIRE(r.commit);
  CHECK(r.created_branch);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev") == *r.commit);
  CHECK(output("git --git-dir=" + q(repo) + " log -1 --format=%s dev") == "over git://");
  CHECK(fetch_branch(url, "dev", {}).read("demo/app.yaml") == std::optional<std::string>("replicas: 1\n"));
  const auto second = commit_files(url, "dev", {{"demo/app.yaml", "replicas: 2\n"}}, "second");
  REQUIRE(second.commit);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev^") == *r.commit);
  CHECK(promote_branch(url, "dev", "prod", {}).kind == PromoteResult::Kind::created);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse prod") == *second.commit);

  // A server that refuses the ref while the branch stays where it was: final.
  const auto hook = served.path() / "net.git" / "hooks" / "pre-receive";
  REQUIRE(run("printf '#!/bin/sh\\necho protected branch >&2\\nexit 1\\n' > " + q(hook.string()) + " && chmod +x " +
              q(hook.string())) == 0);
  REQUIRE_THROWS_MATCHES(commit_files(url, "dev", {{"demo/app.yaml", "replicas: 3\n"}}, "third"), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev", "refused"}));
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev") == *second.commit);
}

TEST_CASE("https:// with a private CA and credentials from the environment or a file, each tried once",
          "[git][git_branch]") {
  if (run("command -v python3 && command -v openssl && test -x \"$(git --exec-path)/git-http-backend\"") != 0) {
    WARN("skipped: needs python3, openssl and git-http-backend");
    return;
  }
  set_identity();
  TempDir dir("airlock-git-test");
  const auto p = [&](const char* name) { return (dir.path() / name).string(); };
  REQUIRE(run("cd " + q(dir.path().string()) +
              " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca"
              " && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost"
              " && printf 'subjectAltName=DNS:localhost\\n' > ext.cnf"
              " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2"
              " -extfile ext.cnf && mkdir served && git init -q --bare served/r.git") == 0);
  {
    std::FILE* f = std::fopen(p("server.py").c_str(), "w");
    REQUIRE(f);
    std::fputs(k_https_server, f);
    std::fclose(f);
  }
  const std::string password = "p@ss:w/rd";
  Server server({"python3", p("server.py"), p("served"), p("srv.pem"), p("srv.key"), p("auth.log"), "PORT",
                 "tester:" + password, "x-access-token:tok123"});
  const auto url = "https://localhost:" + std::to_string(server.port()) + "/r.git";
  const auto log_lines = [&] { return output("cat " + q(p("auth.log"))); };
  const auto clear_log = [&] { REQUIRE(run(": > " + q(p("auth.log"))) == 0); };
  ScopeGuard unset([] {
    for (const char* n : {"AIRLOCK_GIT_USERNAME", "AIRLOCK_GIT_PASSWORD", "AIRLOCK_GIT_TOKEN"}) ::unsetenv(n);
  });
  GitOptions options;
  options.ca_file = p("ca.pem");

  SECTION("without the CA the certificate is refused") {
    ::setenv("AIRLOCK_GIT_TOKEN", "tok123", 1);
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {url, "dev"}));
  }
  SECTION("no credentials: a remote error saying how to give them") {
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", options), RemoteError,
                           FailsWith(ExitCode::remote, {url, "AIRLOCK_GIT_TOKEN"}));
  }
  SECTION("a token from the environment") {
    ::setenv("AIRLOCK_GIT_TOKEN", "tok123", 1);
    const auto r = commit_files(url, "dev", {{"a.yaml", "a\n"}}, "with a token", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " log -1 --format=%s dev") == "with a token");
  }
  SECTION("user and password from the environment, then a wrong one is tried once") {
    ::setenv("AIRLOCK_GIT_USERNAME", "tester", 1);
    ::setenv("AIRLOCK_GIT_PASSWORD", password.c_str(), 1);
    const auto r = commit_files(url, "dev", {{"a.yaml", "a\n"}}, "over https", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " rev-parse dev") == *r.commit);
    CHECK(fetch_branch(url, "dev", options).read("a.yaml") == std::optional<std::string>("a\n"));

    ::setenv("AIRLOCK_GIT_PASSWORD", "wrong-secret", 1);
    clear_log();
    try {
      (void)fetch_branch(url, "dev", options);
      FAIL("a wrong password was accepted");
    } catch (const RemoteError& e) {
      CHECK_THAT(e.what(), Contains("refused") && Contains("AIRLOCK_GIT_USERNAME") && Contains(url));
      CHECK_THAT(e.what(), !Contains("wrong-secret"));
    }
    const auto tried = log_lines();
    CHECK(std::count(tried.begin(), tried.end(), '\n') <= 2);  // one request without, one with the credential

    // The CA location is process-global in libgit2, but ends with the operation.
    ::setenv("AIRLOCK_GIT_PASSWORD", password.c_str(), 1);
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {"certificate"}));
  }
  SECTION("the longest matching line of a credentials file, percent-decoded") {
    const auto port = std::to_string(server.port());
    {
      std::FILE* f = std::fopen(p("credentials").c_str(), "w");
      REQUIRE(f);
      std::fputs(("https://tester:bad@other.example\n"
                  "https://tester:also-bad@localhost:" +
                  port +
                  "\n"
                  "https://tester:p%40ss%3Aw%2Frd@localhost:" +
                  port +
                  "/r.git\n"
                  "https://tester:wrong@localhost:" +
                  port + "/other.git\n")
                     .c_str(),
                 f);
      std::fclose(f);
    }
    options.credentials_file = p("credentials");
    const auto r = commit_files(url, "dev", {{"b.yaml", "b\n"}}, "from a file", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " log -1 --format=%s dev") == "from a file");
  }
}
