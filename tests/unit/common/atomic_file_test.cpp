#include "common/atomic_file.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("AtomicFile appears only on commit, with its mode", "[atomic_file]") {
  TempDir dir("airlock-unit");
  const auto target = dir.path() / "bundle.tar.zst";
  {
    AtomicFile f(target, 0600);
    CHECK(f.target() == target);
    CHECK(f.fd() >= 0);
    f.write("hello ");
    f.write("world");
    CHECK_FALSE(fs::exists(target));  // still the temporary
    f.commit();
  }
  CHECK(slurp(target) == "hello world");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // fchmod, so the umask does not matter
  CHECK(listing(dir.path()) == std::vector<std::string>{"bundle.tar.zst"});
}

TEST_CASE("AtomicFile: a run that fails before commit leaves nothing", "[atomic_file]") {
  TempDir dir("airlock-unit");
  const auto target = dir.path() / "out.bin";
  try {
    AtomicFile f(target, 0644);
    f.write(std::string(100000, 'x'));
    throw std::runtime_error("pack failed half way");
  } catch (const std::runtime_error&) {}
  CHECK_FALSE(fs::exists(target));
  CHECK(listing(dir.path()).empty());  // the temporary is gone too
}

TEST_CASE("AtomicFile: an uncommitted rewrite keeps the old file intact", "[atomic_file]") {
  TempDir dir("airlock-unit");
  const auto target = dir.path() / "state.json";
  std::ofstream(target) << "old";
  {
    AtomicFile f(target, 0644);
    f.write("new and half written");
  }
  CHECK(slurp(target) == "old");
  CHECK(listing(dir.path()) == std::vector<std::string>{"state.json"});

  AtomicFile f(target, 0644);
  f.write("new");
  f.commit();
  CHECK(slurp(target) == "new");
}

TEST_CASE("AtomicFile: a failed commit throws naming the target and removes the temporary", "[atomic_file]") {
  TempDir dir("airlock-unit");
  // rename() of a file over a directory fails (EISDIR).
  const auto target = dir.path() / "taken";
  fs::create_directory(target);
  {
    AtomicFile f(target, 0644);
    f.write("data");
    REQUIRE_THROWS_MATCHES(f.commit(), Error, FailsWith(ExitCode::other, {"cannot rename", target.string()}));
  }
  CHECK(listing(dir.path()) == std::vector<std::string>{"taken"});
  CHECK(fs::is_directory(target));
}

TEST_CASE("AtomicFile in a missing directory is a usage error naming the path", "[atomic_file]") {
  TempDir dir("airlock-unit");
  const auto target = dir.path() / "no" / "such" / "dir" / "out.tar.zst";
  REQUIRE_THROWS_MATCHES(AtomicFile(target, 0644), UsageError,
                         FailsWith(ExitCode::usage, {"cannot create output", target.string()}));
}
