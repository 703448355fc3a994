// promote_branch on real bare remotes, checked with the git CLI: create,
// fast-forward, merge (environment files kept), conflicts.
#include "importer/git_promote.hpp"

#include "tests/unit/error_matcher.hpp"
#include "tests/unit/git_test_remote.hpp"
#include "tests/unit/importer/git_commit_files.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using namespace airlock::test;
using Catch::Matchers::Contains;

TEST_CASE("promote creates, fast-forwards, then is up to date", "[git][git_promote]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "one");
  const auto created = promote_branch(remote.url, "dev", "prod", {});
  CHECK(created.kind == PromoteResult::Kind::created);
  CHECK(created.commit == remote.git("rev-parse dev"));
  CHECK(remote.git("rev-parse prod") == remote.git("rev-parse dev"));

  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 2\n"}}, "two");
  const auto ff = promote_branch(remote.url, "dev", "prod", {});
  CHECK(ff.kind == PromoteResult::Kind::fast_forward);
  CHECK(ff.commit == remote.git("rev-parse dev"));
  CHECK(remote.git("rev-parse prod") == remote.git("rev-parse dev"));

  const auto again = promote_branch(remote.url, "dev", "prod", {});
  CHECK(again.kind == PromoteResult::Kind::up_to_date);
  CHECK(again.commit == remote.git("rev-parse prod"));

  REQUIRE_THROWS_MATCHES(promote_branch(remote.url, "nope", "prod", {}), UsageError,
                         FailsWith(ExitCode::usage, {"nope", remote.url}));
}

TEST_CASE("promote merges and keeps the files only the environment branch has", "[git][git_promote]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "one");
  (void)promote_branch(remote.url, "dev", "prod", {});
  (void)commit_files(remote.url, "prod", {{"overlays/prod/kustomization.yaml", "resources: [../../demo]\n"}},
                     "prod overlay");
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 5\n"}}, "five", {"demo"});
  const auto prod_before = remote.git("rev-parse prod");
  const auto dev_tip = remote.git("rev-parse dev");

  const auto merged = promote_branch(remote.url, "dev", "prod", {});
  CHECK(merged.kind == PromoteResult::Kind::merged);
  CHECK(merged.commit == remote.git("rev-parse prod"));
  CHECK(remote.git("rev-list --parents -1 prod") == merged.commit + " " + prod_before + " " + dev_tip);
  CHECK(remote.git("log -1 --format=%B prod") == "Promote dev into prod");
  CHECK(remote.git("log -1 --format=%an prod") == "Site Importer");
  CHECK(remote.git("show prod:overlays/prod/kustomization.yaml") == "resources: [../../demo]");
  CHECK(remote.git("show prod:demo/app.yaml") == "replicas: 5");
  CHECK(remote.git("rev-parse dev") == dev_tip);

  CHECK(promote_branch(remote.url, "dev", "prod", {}).kind == PromoteResult::Kind::up_to_date);
}

TEST_CASE("a conflicting promote lists the files and leaves the branch where it was", "[git][git_promote]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "kind: Deployment\nreplicas: 1\n"}}, "one");
  (void)promote_branch(remote.url, "dev", "prod", {});
  (void)commit_files(remote.url, "prod", {{"demo/app.yaml", "kind: Deployment\nreplicas: 9  # hotfix\n"}}, "hotfix");
  (void)commit_files(remote.url, "dev",
                     {{"demo/app.yaml", "kind: Deployment\nreplicas: 5\n"}, {"demo/new.yaml", "n\n"}}, "five");
  const auto prod_before = remote.git("rev-parse prod");
  try {
    (void)promote_branch(remote.url, "dev", "prod", {});
    FAIL("no conflict reported");
  } catch (const PromoteConflict& e) {
    CHECK(e.files() == std::vector<std::string>{"demo/app.yaml"});
    CHECK_THAT(e.what(), Contains("conflict") && Contains("demo/app.yaml") && Contains("prod"));
    CHECK(e.exit_code() == ExitCode::other);
  }
  CHECK(remote.git("rev-parse prod") == prod_before);
}
