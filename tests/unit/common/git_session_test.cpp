// GitSession against real bare remotes made by the git CLI: what a remote
// advertises, fetches of chosen refspecs on the same connection, pushes
// without force, and errors that name the remote redacted.
#include "common/git_session.hpp"

#include "tests/unit/error_matcher.hpp"
#include "tests/unit/git_test_remote.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace airlock;
using namespace airlock::test;
using Catch::Matchers::Contains;

namespace {

// A bare remote with a branch main (two commits), a lightweight tag and
// an annotated one on its first commit.
struct VendorRemote : BareRemote {
  std::string first, second;
  VendorRemote() {
    const auto work = (dir.path() / "work").string();
    const auto g = "git -C " + q(work) + " -c user.name=t -c user.email=t@example ";
    REQUIRE(run("git init -q -b main " + q(work) + " && echo 1 > " + q(work + "/a") + " && " + g + "add a && " + g +
                "commit -qm one && " + g + "tag light && " + g + "tag -a v1 -m v1 && echo 2 > " + q(work + "/a") +
                " && " + g + "commit -qam two && " + g + "push -q " + q(url) + " main light v1") == 0);
    first = git("rev-parse light");
    second = git("rev-parse main");
  }
};

std::map<std::string, std::string> by_name(const std::vector<GitSession::AdvertisedRef>& refs) {
  std::map<std::string, std::string> out;
  for (const auto& r : refs) out[r.name] = git_hex(r.id);
  return out;
}

std::vector<std::string> local_refs(const GitSession& session) {
  git_strarray names{};
  REQUIRE(git_reference_list(&names, session.repo()) == 0);
  std::vector<std::string> out(names.strings, names.strings + names.count);
  git_strarray_dispose(&names);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a session lists what the remote advertises and fetches only the refspecs asked for", "[git][git_session]") {
  VendorRemote remote;
  GitSession session(remote.url, {});
  CHECK(session.url() == remote.url);
  CHECK(session.shown_url() == remote.url);
  const auto refs = by_name(session.advertised("ref v1"));
  CHECK(refs.at("refs/heads/main") == remote.second);
  CHECK(refs.at("refs/tags/light") == remote.first);
  CHECK(refs.at("refs/tags/v1") == remote.git("rev-parse v1"));  // the tag object
  CHECK(refs.at("refs/tags/v1^{}") == remote.first);             // and the commit it points to

  // Only the ref asked for lands (libgit2's file:// transport may send more
  // objects than it needs; tests/integration/test_git_manifests.sh checks
  // what is asked for over https://).
  session.fetch({"+refs/tags/v1:refs/airlock/manifests"}, "ref v1");
  CHECK(local_refs(session) == std::vector<std::string>{"refs/airlock/manifests"});
  git_oid id;
  REQUIRE(git_oid_fromstr(&id, remote.first.c_str()) == 0);
  CHECK(git_find("the tagged commit", git_commit_lookup, session.repo(), &id));

  // A fetch without advertised() first connects by itself.
  session.fetch({"+refs/heads/main:refs/airlock/main"}, "branch main");
  CHECK(local_refs(session) == std::vector<std::string>{"refs/airlock/main", "refs/airlock/manifests"});
  REQUIRE(git_oid_fromstr(&id, remote.second.c_str()) == 0);
  CHECK(git_find("main's tip", git_commit_lookup, session.repo(), &id));
}

TEST_CASE("a session pushes without force and reports a refusal", "[git][git_session]") {
  VendorRemote remote;
  GitSession session(remote.url, {});
  session.fetch({"+refs/heads/main:refs/airlock/main", "+refs/tags/light:refs/airlock/light"}, "");
  git_oid first, second;
  REQUIRE(git_oid_fromstr(&first, remote.first.c_str()) == 0);
  REQUIRE(git_oid_fromstr(&second, remote.second.c_str()) == 0);

  CHECK_FALSE(session.push(first, "release"));  // a new branch
  CHECK(remote.git("rev-parse release") == remote.first);
  CHECK_FALSE(session.push(second, "release"));  // a fast-forward
  CHECK(remote.git("rev-parse release") == remote.second);
  const auto refused = session.push(first, "main");  // would rewind main
  REQUIRE(refused);
  CHECK_THAT(*refused, Contains("not a fast-forward"));
  CHECK(remote.git("rev-parse main") == remote.second);
}

TEST_CASE("a session refuses bad options before any effect, naming the remote redacted", "[git][git_session]") {
  TempDir dir("airlock-git-test");
  REQUIRE_THROWS_MATCHES(GitSession("http://user:hunter2@git.example/r.git", {}), UsageError,
                         FailsWith(ExitCode::usage, {"unsupported URL", "user:***@git.example"}));
  GitOptions options;
  options.ssh_key = dir.path() / "no-key";
  REQUIRE_THROWS_MATCHES(GitSession("ssh://git@git.example/r.git", options), UsageError,
                         FailsWith(ExitCode::usage, {"the ssh key", "no-key", "does not exist"}));
  options = {};
  options.ca_file = dir.path() / "no-ca.pem";
  REQUIRE_THROWS_MATCHES(GitSession("https://git.example/r.git", options), UsageError,
                         FailsWith(ExitCode::usage, {"the CA file", "no-ca.pem", "does not exist"}));
  options = {};
  options.credentials_file = dir.path() / "no-credentials";
  REQUIRE_THROWS_MATCHES(GitSession("https://git.example/r.git", options), UsageError,
                         FailsWith(ExitCode::usage, {"git credentials file", "no-credentials"}));
}

TEST_CASE("a remote that cannot be reached is a remote error naming it redacted and what was fetched",
          "[git][git_session]") {
  TempDir dir("airlock-git-test");
  const auto missing = "file://" + (dir.path() / "none.git").string();
  GitSession session(missing, {});
  REQUIRE_THROWS_MATCHES(session.advertised("ref v1"), RemoteError,
                         FailsWith(ExitCode::remote, {"git remote " + missing + " ref v1: fetch failed: "}));
  REQUIRE_THROWS_MATCHES(session.fetch({"+refs/heads/x:refs/x"}, ""), RemoteError,
                         FailsWith(ExitCode::remote, {"git remote " + missing + ": fetch failed: "}));

  // Nothing listens on port 1; the password never shows.
  GitSession https("https://alice:hunter2@127.0.0.1:1/r.git", {});
  CHECK(https.shown_url() == "https://alice:***@127.0.0.1:1/r.git");
  try {
    (void)https.advertised("");
    FAIL("port 1 answered");
  } catch (const RemoteError& e) {
    CHECK_THAT(e.what(),
               Contains("git remote https://alice:***@127.0.0.1:1/r.git: fetch failed") && !Contains("hunter2"));
  }
}
