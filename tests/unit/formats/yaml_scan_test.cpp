// YAML read as events: inputs on which yaml-cpp 0.7 alone would not return.
#include "formats/yaml_scan.hpp"

#include "formats/image_discovery.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

struct CountDocuments final : YamlVisitor {
  int documents = 0;
  void document_start() override { ++documents; }
  void document_end() override {}
  void scalar(const YamlScalar&) override {}
};

}  // namespace

// Found by fuzz/fuzz_yaml_render (a timeout): yaml-cpp 0.7 reads a ','
// outside a flow collection as an empty document it never consumes
// (jbeder/yaml-cpp#1040), and scan_yaml() looped forever (discovery in
// pack, render in import: both read through scan_yaml()).
TEST_CASE("a ',' outside a flow collection is refused at its line, not read forever", "[yaml_scan]") {
  for (const std::string yaml :
       {",", ",\n", "a: 1\n---\n,\n", "# comment\n\n   ,   - {name: x}\n", "kind: Pod\n---\n  , b\n"}) {
    CAPTURE(yaml);
    CountDocuments visitor;
    REQUIRE_THROWS_MATCHES(scan_yaml(yaml, "m.yaml", visitor), UsageError,
                           FailsWith(ExitCode::usage, {"m.yaml:", "not valid YAML", "','"}));
    REQUIRE_THROWS_MATCHES(discover_images(yaml, "m.yaml"), UsageError, FailsWith(ExitCode::usage, {"m.yaml:"}));
  }
  CountDocuments visitor;
  REQUIRE_THROWS_MATCHES(scan_yaml("a: 1\n---\nb: 2\n---\n,\n", "m.yaml", visitor), UsageError,
                         FailsWith(ExitCode::usage, {"m.yaml:5", "not valid YAML"}));
}

TEST_CASE("empty and repeated documents still read", "[yaml_scan]") {
  CountDocuments visitor;
  scan_yaml("---\n---\na: [x, y]\n---\n", "m.yaml", visitor);
  CHECK(visitor.documents >= 1);
  CHECK_NOTHROW(discover_images("---\n---\nkind: Pod\nspec: {containers: [{image: org/app:1.0}]}\n", "m.yaml"));
  CHECK(discover_images("---\n---\nkind: Pod\nspec: {containers: [{image: org/app:1.0}]}\n", "m.yaml").images.size() ==
        1);
}
