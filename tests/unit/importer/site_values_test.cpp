// Placeholders and the site's values: declared names only, errors name file:line.
#include "importer/site_values.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

const std::vector<DeclaredValue> declared{{"host", "ingress host", std::nullopt}, {"size", "", "10Gi"}};

std::filesystem::path write_values(const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("airlock-values-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("placeholders are found with their lines; malformed ones are errors", "[values]") {
  const auto found = find_placeholders("a: ${airlock:host}\nb: x${airlock:size}y\n", "f.yaml");
  REQUIRE(found.size() == 2);
  CHECK(found[0].name == "host");
  CHECK(found[0].line == 1);
  CHECK(found[1].name == "size");
  CHECK(found[1].line == 2);
  REQUIRE_THROWS_MATCHES(find_placeholders("a: 1\nb: ${airlock:bad name}\n", "f.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"f.yaml:2", "malformed placeholder"}));
}

TEST_CASE("values fill placeholders; defaults apply", "[values]") {
  const auto file = write_values("host: app.example\n");
  const auto values = resolve_site_values(declared, file);
  CHECK(substitute_values("h: ${airlock:host}\ns: ${airlock:size}\n", "m.yaml", declared, values, file) ==
        "h: app.example\ns: 10Gi\n");
  std::filesystem::remove(file);
}

TEST_CASE("a value the release does not declare names the values file and line", "[values]") {
  const auto file = write_values("host: a\nport: 80\n");
  REQUIRE_THROWS_MATCHES(resolve_site_values(declared, file), UsageError,
                         FailsWith(ExitCode::usage, {file.string() + ":2", "port", "host, size"}));
  std::filesystem::remove(file);
}

TEST_CASE("a placeholder without a value names the manifest and line", "[values]") {
  const auto values = resolve_site_values(declared, std::nullopt);
  REQUIRE_THROWS_MATCHES(substitute_values("x: 1\nh: ${airlock:host}\n", "manifests/a.yaml", declared, values,
                                           std::nullopt),
                         UsageError,
                         FailsWith(ExitCode::usage, {"manifests/a.yaml:2", "has no value", "ingress host"}));
}

TEST_CASE("a multi-line value is refused", "[values]") {
  const auto file = write_values("host: \"a\\nb\"\n");
  REQUIRE_THROWS_MATCHES(resolve_site_values(declared, file), UsageError,
                         FailsWith(ExitCode::usage, {":1", "one line"}));
  std::filesystem::remove(file);
}
