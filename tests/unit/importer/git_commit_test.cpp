// Commits on branches of real bare remotes through update_branch, checked
// with the git CLI: trees, identities, retries when the branch moved.
#include "importer/git_commit.hpp"

#include "common/scope_guard.hpp"
#include "tests/unit/error_matcher.hpp"
#include "tests/unit/git_test_remote.hpp"
#include "tests/unit/importer/git_commit_files.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace airlock;
using namespace airlock::test;
using Catch::Matchers::Contains;

TEST_CASE("update_branch creates a branch with a root commit", "[git][git_commit]") {
  set_identity();
  BareRemote remote;
  const std::string message = "Import demo 1.0 (sequence 1)\n\nAirlock-Bundle: sha256:0123";
  const auto r = commit_files(remote.url, "dev",
                              {{"demo/app.yaml", "kind: Deployment\n"},
                               {"demo/sub/more.yaml", "kind: Service\n"},
                               {".airlock/state.json", "{}\n"}},
                              message);
  REQUIRE(r.commit);
  CHECK(r.created_branch);
  CHECK(r.attempts == 1);
  CHECK(remote.git("rev-parse dev") == *r.commit);
  CHECK(remote.git("rev-list --count dev") == "1");
  CHECK(remote.git("show dev:demo/app.yaml") == "kind: Deployment");
  CHECK(remote.git("log -1 --format=%B dev") == message);
  CHECK(remote.git("log -1 --format='%an <%ae>|%cn <%ce>' dev") ==
        "Site Importer <importer@site.example>|Site Importer <importer@site.example>");

  const auto snap = fetch_branch(remote.url, "dev", {});
  CHECK(snap.commit() == r.commit);
  CHECK(snap.read("demo/sub/more.yaml") == std::optional<std::string>("kind: Service\n"));
  CHECK_FALSE(snap.read("demo"));
  CHECK_FALSE(snap.read("demo/none.yaml"));
  CHECK(snap.list("demo") == std::vector<std::string>{"app.yaml", "sub/more.yaml"});
  CHECK(snap.list("demo/") == std::vector<std::string>{"app.yaml", "sub/more.yaml"});
  CHECK(snap.list("").size() == 3);
  CHECK(snap.list("nothing").empty());
}

TEST_CASE("update_branch replaces a directory and keeps everything else", "[git][git_commit]") {
  set_identity();
  BareRemote remote;
  const auto first = commit_files(remote.url, "dev",
                                  {{"demo/a.yaml", "a\n"},
                                   {"demo/sub/b.yaml", "b\n"},
                                   {"other/keep.yaml", "keep\n"},
                                   {"README.md", "readme\n"}},
                                  "first");
  ::setenv("GIT_COMMITTER_NAME", "Site Robot", 1);
  ::setenv("GIT_COMMITTER_EMAIL", "robot@site.example", 1);
  const auto second =
      commit_files(remote.url, "dev", {{"demo/c.yaml", "c\n"}, {".airlock/state.json", "{}\n"}}, "second", {"demo"});
  set_identity();
  REQUIRE(second.commit);
  CHECK_FALSE(second.created_branch);
  CHECK(remote.git("rev-parse dev^") == *first.commit);
  CHECK(remote.git("log -1 --format='%an|%cn <%ce>' dev") == "Site Importer|Site Robot <robot@site.example>");
  CHECK_FALSE(remote.has("dev:demo/a.yaml"));
  CHECK_FALSE(remote.has("dev:demo/sub/b.yaml"));
  CHECK(remote.git("show dev:demo/c.yaml") == "c");
  CHECK(remote.git("show dev:other/keep.yaml") == "keep");
  CHECK(remote.git("show dev:README.md") == "readme");
  CHECK(fetch_branch(remote.url, "dev", {}).list("demo") == std::vector<std::string>{"c.yaml"});
}

TEST_CASE("a plan with nothing to commit makes no commit", "[git][git_commit]") {
  set_identity();
  BareRemote remote;
  const auto none = update_branch(remote.url, "dev", {}, [](const BranchSnapshot&) { return std::nullopt; });
  CHECK_FALSE(none.commit);
  CHECK_FALSE(none.created_branch);
  CHECK(run("git --git-dir=" + q(remote.path) + " rev-parse --verify dev") != 0);

  const auto first = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "first");
  const auto same = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "same again", {"demo"});
  CHECK_FALSE(same.commit);
  CHECK(remote.git("rev-parse dev") == *first.commit);

  REQUIRE_THROWS_MATCHES(update_branch(remote.url, "dev", {},
                                       [](const BranchSnapshot&) -> std::optional<CommitPlan> {
                                         throw VerificationError("rollback refused");
                                       }),
                         VerificationError, FailsWith(ExitCode::verification, {"rollback refused"}));
  CHECK(remote.git("rev-parse dev") == *first.commit);
}

TEST_CASE("update_branch plans again when the branch moved meanwhile, without force", "[git][git_commit]") {
  set_identity();
  BareRemote remote;
  const auto first = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "first");
  const auto work = (remote.dir.path() / "work").string();
  int calls = 0;
  const auto r = update_branch(remote.url, "dev", {}, [&](const BranchSnapshot& snap) {
    if (++calls == 1) {
      CHECK(snap.commit() == first.commit);
      // Someone else pushes to dev between our fetch and our push.
      REQUIRE(run("git clone -q -b dev " + q(remote.url) + " " + q(work)) == 0);
      REQUIRE(run("echo elsewhere > " + q(work + "/other.txt") + " && git -C " + q(work) + " add other.txt && git -C " +
                  q(work) + " -c user.name=Other -c user.email=other@example commit -qm elsewhere && git -C " +
                  q(work) + " push -q origin dev") == 0);
    } else {
      CHECK(snap.read("other.txt") == std::optional<std::string>("elsewhere\n"));
    }
    return std::optional<CommitPlan>(CommitPlan{{"demo"}, {{"demo/b.yaml", "b\n"}}, "ours"});
  });
  REQUIRE(r.commit);
  CHECK(calls == 2);
  CHECK(r.attempts == 2);
  CHECK_FALSE(r.created_branch);
  CHECK(remote.git("rev-parse dev") == *r.commit);
  CHECK(remote.git("log --format=%s dev") == "ours\nelsewhere\nfirst");
  const auto elsewhere = output("git -C " + q(work) + " rev-parse HEAD");
  CHECK(remote.git("rev-parse dev^") == elsewhere);
  CHECK(run("git --git-dir=" + q(remote.path) + " merge-base --is-ancestor " + elsewhere + " dev") == 0);
  CHECK(remote.git("show dev:other.txt") == "elsewhere");
  CHECK_FALSE(remote.has("dev:demo/a.yaml"));
}

TEST_CASE("without an author identity update_branch is a usage error saying how to set one", "[git][git_commit]") {
  if (!output("git config --system user.name").empty() || !output("git config --system user.email").empty()) {
    WARN("skipped: the system git config has an identity");
    return;
  }
  TempDir home("airlock-git-test");
  const auto saved = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const char* names[] =
      {"HOME", "XDG_CONFIG_HOME", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"};
  std::vector<std::optional<std::string>> before;
  for (const char* n : names) before.push_back(saved(n));
  ScopeGuard restore([&] {
    for (std::size_t i = 0; i < before.size(); ++i)
      before[i] ? ::setenv(names[i], before[i]->c_str(), 1) : ::unsetenv(names[i]);
  });
  for (const char* n : names) ::unsetenv(n);
  ::setenv("HOME", home.path().c_str(), 1);
  ::setenv("XDG_CONFIG_HOME", home.path().c_str(), 1);
  BareRemote remote;
  REQUIRE_THROWS_MATCHES(commit_files(remote.url, "dev", {{"a", "a"}}, "m"), UsageError,
                         FailsWith(ExitCode::usage, {"GIT_AUTHOR_NAME", "user.name"}));
  CHECK(run("git --git-dir=" + q(remote.path) + " rev-parse --verify dev") != 0);
}
