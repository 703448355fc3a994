// The git remote URL grammar: the parts credentials are matched on, the
// URLs accepted, and the redacted form messages show.
#include "common/git_url.hpp"

#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using airlock::test::FailsWith;
using Catch::Matchers::Contains;

TEST_CASE("parse_git_url splits and normalises the parts credentials are matched on", "[git][git_url]") {
  const auto u = parse_git_url("HTTPS://Alice:p%40ss%3Aw%2Frd@Git.Example.COM:443/org/Repo.git/?x=1#frag");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->user == "Alice");
  CHECK(u->password == "p@ss:w/rd");
  CHECK(u->host == "git.example.com");
  CHECK(u->port.empty());  // 443 is https's own
  CHECK(u->path == "org/Repo.git");

  const auto p = parse_git_url("https://git.example.com:8443");
  REQUIRE(p);
  CHECK(p->port == "8443");
  CHECK(p->path.empty());
  CHECK(p->user.empty());
  CHECK(p->password.empty());

  const auto token = parse_git_url("https://x-access-token:tok@host/r");
  REQUIRE(token);
  CHECK(token->user == "x-access-token");
  CHECK(token->password == "tok");

  const auto ssh = parse_git_url("ssh://git@[::1]:2222/srv/r.git");
  REQUIRE(ssh);
  CHECK(ssh->host == "[::1]");
  CHECK(ssh->port == "2222");
  CHECK(ssh->user == "git");
  CHECK(ssh->password.empty());
  const auto v6 = parse_git_url("ssh://[::1]/r.git");
  REQUIRE(v6);
  CHECK(v6->host == "[::1]");
  CHECK(v6->port.empty());

  CHECK(parse_git_url("http://h:80/r")->port == "80");  // only https drops its default port
  CHECK_FALSE(parse_git_url("git@host:org/r.git"));
  CHECK_FALSE(parse_git_url("/srv/git/r.git"));
  CHECK_FALSE(parse_git_url("://host/r"));
  CHECK_FALSE(parse_git_url("https://"));
  CHECK_FALSE(parse_git_url("https://user:pw@/r"));
}

TEST_CASE("percent_decode decodes %XX and keeps a stray %", "[git][git_url]") {
  CHECK(percent_decode("a%20b%2fc%2F") == "a b/c/");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%4") == "%4");
  CHECK(percent_decode("%zz%41") == "%zzA");
  CHECK(percent_decode("") == "");
}

TEST_CASE("redact_git_url hides the password and nothing else", "[git][git_url]") {
  CHECK(redact_git_url("https://alice:s3cret@host:8443/r.git") == "https://alice:***@host:8443/r.git");
  CHECK(redact_git_url("https://x-access-token:tok-123@host/r.git") == "https://x-access-token:***@host/r.git");
  CHECK(redact_git_url("https://alice:p%40ss@host/r") == "https://alice:***@host/r");
  CHECK(redact_git_url("https://alice:a:b@host/r") == "https://alice:***@host/r");
  CHECK(redact_git_url("https://u:p@w@host/r") == "https://u:***@host/r");  // the last @ before the path ends it
  CHECK(redact_git_url("https://host/r.git") == "https://host/r.git");
  CHECK(redact_git_url("ssh://git@host:22/r.git") == "ssh://git@host:22/r.git");  // a port is not a password
  CHECK(redact_git_url("https://host/a:b@c") == "https://host/a:b@c");            // an @ in the path is not userinfo
  CHECK(redact_git_url("git@host:org/r.git") == "git@host:org/r.git");
  CHECK(redact_git_url("/srv/git/r.git") == "/srv/git/r.git");
}

TEST_CASE("check_git_url accepts the supported remotes and names the others redacted", "[git][git_url]") {
  for (const char* ok :
       {"file:///srv/r.git", "git://host/r.git", "ssh://git@host/r.git", "git+ssh://host/r", "ssh+git://host/r",
        "https://host/r.git", "/srv/git/r.git", "git@host:org/r.git", "host:r.git"})
    CHECK_NOTHROW(check_git_url(ok));
  REQUIRE_THROWS_MATCHES(check_git_url("http://user:secret@git.example/r.git"), UsageError,
                         FailsWith(ExitCode::usage, {"unsupported URL", "http://user:***@git.example/r.git"}));
  try {
    check_git_url("ftp://u:hunter2@host/r");
    FAIL("ftp:// accepted");
  } catch (const UsageError& e) {
    CHECK_THAT(e.what(), !Contains("hunter2"));
  }
  for (const char* bad : {"https://", "relative/path", "", "C", "./r.git", "host/r:x"})
    REQUIRE_THROWS_MATCHES(check_git_url(bad), UsageError, FailsWith(ExitCode::usage, {"unsupported URL"}));
}
