// git_make and git_find: the object in its owner, or the caller's context
// with libgit2's message in the error type the caller chose.
#include "common/git_handles.hpp"

#include "common/temp_dir.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using airlock::test::FailsWith;

TEST_CASE("git_make returns the object or throws the caller's context and libgit2's message", "[git][git_handles]") {
  GitLibrary lib;
  TempDir dir("airlock-git-test");
  const auto missing = (dir.path() / "none").string();
  REQUIRE_THROWS_MATCHES(git_make("opening the test repository", git_repository_open, missing.c_str()), Error,
                         FailsWith(ExitCode::other, {"opening the test repository: ", missing}));
  REQUIRE_THROWS_MATCHES(git_make<UsageError>("opening it again", git_repository_open, missing.c_str()), UsageError,
                         FailsWith(ExitCode::usage, {"opening it again: "}));

  const auto repo = git_make("creating the test repository", git_repository_init, dir.path().c_str(), 1u);
  REQUIRE(repo);
  CHECK(git_repository_is_bare(repo.get()) == 1);
  CHECK_FALSE(git_find("reading refs/heads/none", git_reference_lookup, repo.get(), "refs/heads/none"));
  REQUIRE_THROWS_MATCHES(git_find<RemoteError>("reading a bad name", git_reference_lookup, repo.get(),
                                               "refs/heads/a..b"),
                         RemoteError, FailsWith(ExitCode::remote, {"reading a bad name: ", "a..b"}));
  const auto index = git_make("an in-memory index", git_index_new);
  CHECK(git_index_entrycount(index.get()) == 0);
}

TEST_CASE("git_hex spells an object id in 40 lowercase hex digits", "[git][git_handles]") {
  git_oid id;
  REQUIRE(git_oid_fromstr(&id, "0123456789ABCDEF0123456789abcdef01234567") == 0);
  CHECK(git_hex(id) == "0123456789abcdef0123456789abcdef01234567");
}
