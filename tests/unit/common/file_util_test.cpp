#include "common/file_util.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace airlock;
using airlock::test::FailsWith;

TEST_CASE("read_small_file reads a whole file, binary safe", "[file_util]") {
  TempDir dir("airlock-unit");
  const auto path = dir.path() / "key.pem";
  const std::string content("a\0b\nc", 5);
  std::ofstream(path, std::ios::binary) << content;
  CHECK(read_small_file(path, 5) == content);
  CHECK(read_small_file(path, 1024) == content);
}

TEST_CASE("read_small_file refuses what it must not read, naming the path", "[file_util]") {
  TempDir dir("airlock-unit");
  const auto path = dir.path() / "spec.yaml";
  std::ofstream(path) << "123456";

  REQUIRE_THROWS_MATCHES(read_small_file(path, 5), UsageError,
                         FailsWith(ExitCode::usage, {path.string(), "6 bytes", "limit of 5"}));
  REQUIRE_THROWS_MATCHES(read_small_file(dir.path() / "missing.yaml", 100), UsageError,
                         FailsWith(ExitCode::usage, {"cannot open", "missing.yaml"}));
  REQUIRE_THROWS_MATCHES(read_small_file(dir.path(), 100), UsageError,
                         FailsWith(ExitCode::usage, {dir.path().string(), "not a regular file"}));
}
