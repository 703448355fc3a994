// The one grammar for names that become paths, refs and directories.
#include "formats/names.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using namespace airlock;

TEST_CASE("unsafe_path_reason", "[names]") {
  for (const char* ok : {"oci-layout", "index.json", "manifests/a/b.yaml", "blobs/sha256/abc", "a..b/c", ".hidden"}) {
    CAPTURE(ok);
    CHECK(unsafe_path_reason(ok).empty());
  }
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty path"},
      {"/etc/passwd", "absolute path"},
      {"a\\b", "backslash"},
      {"a\nb", "control character"},
      {std::string("a\0b", 3), "control character"},
      {"a\x7f", "control character"},
      {"a//b", "empty path component"},
      {"a/", "empty path component"},
      {"../x", "\"..\" component"},
      {"a/../../x", "\"..\" component"},
      {"..", "\"..\" component"},
      {"./x", "\".\" component"},
      {"a/.", "\".\" component"},
      {std::string(1025, 'a'), "longer than 1024"},
  };
  for (const auto& [path, why] : bad) {
    CAPTURE(path);
    CHECK_THAT(unsafe_path_reason(path), Catch::Contains(why));
  }
  CHECK(unsafe_path_reason(std::string(1024, 'a')).empty());
}

TEST_CASE("is_valid_release_name", "[names]") {
  for (const char* ok : {"demo", "harness-platform", "a", "0", "a.b_c-d", "x1.2"}) {
    CAPTURE(ok);
    CHECK(is_valid_release_name(ok));
  }
  // It becomes a directory in git: no traversal, no hidden files, no uppercase.
  for (const char* bad : {"", ".", "..", ".git", "a..b", "Demo", "a/b", "-a", "_a", "a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_release_name(bad));
  }
  CHECK(is_valid_release_name(std::string(63, 'a')));
  CHECK_FALSE(is_valid_release_name(std::string(64, 'a')));
}

TEST_CASE("git's own metadata is never a path component", "[names]") {
  for (const char* bad : {".git", ".GIT", "x/.GIT/y", ".Git.", ".git ", "manifests/.git/config.yaml", "a/git~1/b"}) {
    CAPTURE(bad);
    CHECK_THAT(unsafe_path_reason(bad), Catch::Contains(".git"));
  }
  for (const char* ok : {".gitignore", ".github/ci.yml", "git", "x.git", ".gitx"}) {
    CAPTURE(ok);
    CHECK(unsafe_path_reason(ok).empty());
  }
}

TEST_CASE("C1 controls and invalid UTF-8 are refused, other UTF-8 is not", "[names]") {
  CHECK(unsafe_path_reason("manifests/d\xc3\xa9ploiement.yaml").empty());  // é
  CHECK(unsafe_path_reason("manifests/\xe2\x9c\x93.yaml").empty());        // a check mark
  for (const std::string bad : {"a\xc2\x9b"
                                "b",
                                "a\xc2\x85", "a\xff", "a\xc3", "a\xe0\x80\xaf", "a\xed\xa0\x80"}) {
    CAPTURE(bad);
    CHECK_FALSE(unsafe_path_reason(bad).empty());
  }
}

TEST_CASE("release directories: no hidden component, not overlays/", "[names]") {
  for (const char* ok : {"platform", "apps/vendor", "a.b/c-d"}) {
    CAPTURE(ok);
    CHECK(release_dir_reason(ok).empty());
  }
  const std::pair<std::string, std::string> bad[] = {
      {".airlock", "starts with '.'"},  {".airlock/state", "starts with '.'"},
      {"x/.hidden", "starts with '.'"}, {"overlays", "overlays/"},
      {"overlays/prod", "overlays/"},   {"../..", "\"..\" component"},
      {".", "\".\" component"},         {"", "empty path"},
      {"/abs", "absolute path"},        {"victim/.GIT/x", ".git"},
  };
  for (const auto& [dir, why] : bad) {
    CAPTURE(dir);
    CHECK_THAT(release_dir_reason(dir), Catch::Contains(why));
  }
  CHECK_FALSE(is_valid_release_name("overlays"));
}

TEST_CASE("release versions cannot forge commit message lines", "[names]") {
  for (const char* ok : {"1.2.3", "v2.4.1+build.7", "2024_01-rc1"}) CHECK(is_valid_release_version(ok));
  for (const std::string& bad : std::initializer_list<std::string>{"", "1.0\nAirlock-Bundle: sha256:00", "1 0", "-1",
                                                                   ".1", std::string(129, '1')}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_release_version(bad));
  }
}

TEST_CASE("release directories overlap when one holds the other", "[names]") {
  CHECK(release_dirs_overlap("a", "a"));
  CHECK(release_dirs_overlap("a", "a/b"));
  CHECK(release_dirs_overlap("victim/sub", "victim"));
  CHECK_FALSE(release_dirs_overlap("a", "ab"));
  CHECK_FALSE(release_dirs_overlap("apps/a", "apps/b"));
}
