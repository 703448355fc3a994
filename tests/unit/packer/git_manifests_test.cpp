// fetch_git_manifests against a real bare remote made by the git CLI: how
// `ref` resolves, what is refused before any fetch, and messages that start
// with the spec's line and name the URL redacted. (What goes over the wire
// is checked over https:// in tests/integration/test_git_manifests.sh.)
#include "packer/git_manifests.hpp"

#include "tests/unit/error_matcher.hpp"
#include "tests/unit/git_test_remote.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using namespace airlock::test;
using Catch::Matchers::Contains;

namespace {

// main: one (tag v1, annotated), mid, two (deploy/b.yaml added); branch
// "feature" at one.
struct Vendor : BareRemote {
  std::string one, mid, two;
  Vendor() {
    const auto work = (dir.path() / "work").string();
    const auto g = "git -C " + q(work) + " -c user.name=t -c user.email=t@example ";
    const auto file = [&](const std::string& name, const std::string& text) {
      return "echo '" + text + "' > " + q(work + "/" + name) + " && ";
    };
    REQUIRE(run("git init -q -b main " + q(work) + " && mkdir -p " + q(work + "/deploy/sub") + " && " +
                file("deploy/a.yaml", "a: 1") + file("deploy/sub/c.yml", "c: 1") + file("deploy/notes.txt", "x") + g +
                "add -A && " + g + "commit -qm one && " + g + "tag -a v1 -m v1 && " + g + "branch feature && " + g +
                "commit -q --allow-empty -m mid && " + file("deploy/b.yaml", "b: 2") + g + "add -A && " + g +
                "commit -qm two && " + g + "push -q " + q(url) + " main feature v1") == 0);
    one = git("rev-parse v1^{commit}");
    mid = git("rev-parse main^");
    two = git("rev-parse main");
  }
  [[nodiscard]] GitManifests at(const std::string& ref, const std::string& dir_in_repo = "deploy") const {
    return fetch_git_manifests(url, ref, dir_in_repo, "spec.yaml:5", {});
  }
};

std::vector<std::string> names(const GitManifests& m) {
  std::vector<std::string> out;
  for (const auto& [name, content] : m.files) out.push_back(name);
  return out;
}

}  // namespace

TEST_CASE("a ref is a tag, a branch, a full ref name or a commit id", "[git][git_manifests]") {
  Vendor vendor;
  const auto tag = vendor.at("v1");
  CHECK(tag.commit == vendor.one);
  CHECK(names(tag) == std::vector<std::string>{"a.yaml", "sub/c.yml"});
  CHECK(tag.files.front().second == "a: 1\n");
  CHECK(vendor.at("main").commit == vendor.two);
  CHECK(names(vendor.at("main")) == std::vector<std::string>{"a.yaml", "b.yaml", "sub/c.yml"});
  CHECK(vendor.at("feature").commit == vendor.one);
  CHECK(vendor.at("refs/heads/main").commit == vendor.two);
  CHECK(vendor.at("refs/tags/v1").commit == vendor.one);
  CHECK(vendor.at(vendor.two).commit == vendor.two);  // a branch's tip
  CHECK(vendor.at(vendor.one).commit == vendor.one);  // the tag's commit
  CHECK(vendor.at(vendor.mid).commit == vendor.mid);  // no ref points at it
  CHECK(vendor.at(vendor.mid.substr(0, 10)).commit == vendor.mid);
  std::string upper = vendor.mid;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(vendor.at(upper).commit == vendor.mid);
  CHECK(names(vendor.at("v1", "")) == std::vector<std::string>{"deploy/a.yaml", "deploy/sub/c.yml"});
  CHECK(names(vendor.at("v1", "deploy/sub/")) == std::vector<std::string>{"c.yml"});
}

TEST_CASE("a ref that is neither a ref name nor a commit id is refused before any fetch", "[git][git_manifests]") {
  const std::string missing = "file:///nonexistent/vendor.git";  // a fetch would be a RemoteError
  for (const char* ref : {"", "v1:refs/heads/evil", "+refs/heads/*", "refs/*", "a..b", "v1 x", "v1^{}", "@{0}"})
    REQUIRE_THROWS_MATCHES(fetch_git_manifests(missing, ref, "deploy", "spec.yaml:5", {}), UsageError,
                           FailsWith(ExitCode::usage, {"spec.yaml:5: git remote " + missing,
                                                       "has no tag, branch or commit \"" + std::string(ref) + "\""}));
}

TEST_CASE("unknown refs and paths are usage errors naming spec:line, the URL and the ref", "[git][git_manifests]") {
  Vendor vendor;
  for (const char* ref : {"v9", "nothere", "0000000000000000000000000000000000000000", "abcdef0"})
    REQUIRE_THROWS_MATCHES(vendor.at(ref), UsageError,
                           FailsWith(ExitCode::usage, {"spec.yaml:5: git remote " + vendor.url,
                                                       "has no tag, branch or commit \"" + std::string(ref) + "\""}));
  REQUIRE_THROWS_MATCHES(vendor.at("v1", "nope"), UsageError,
                         FailsWith(ExitCode::usage, {"spec.yaml:5: ", vendor.url, "has no path \"nope\""}));
  REQUIRE_THROWS_MATCHES(vendor.at("v1", "deploy/a.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"spec.yaml:5: ", "\"deploy/a.yaml\" is not a directory"}));
  REQUIRE_THROWS_MATCHES(vendor.at("v1", "deploy/sub/c.yml/"), UsageError,
                         FailsWith(ExitCode::usage, {"is not a directory"}));
}

TEST_CASE("remote errors start with spec:line and never show the password", "[git][git_manifests]") {
  try {
    (void)fetch_git_manifests("https://alice:hunter2@127.0.0.1:1/vendor.git", "v1", "deploy", "spec.yaml:5", {});
    FAIL("port 1 answered");
  } catch (const RemoteError& e) {
    CHECK_THAT(e.what(), Contains("spec.yaml:5: git remote https://alice:***@127.0.0.1:1/vendor.git: fetch failed") &&
                             !Contains("hunter2"));
  }
  REQUIRE_THROWS_MATCHES(fetch_git_manifests("http://alice:hunter2@host/v.git", "v1", "deploy", "spec.yaml:5", {}),
                         UsageError,
                         FailsWith(ExitCode::usage,
                                   {"spec.yaml:5: git remote \"http://alice:***@host/v.git\"", "unsupported URL"}));
}
