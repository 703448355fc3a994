// Render rewrites an image where its value stands, not inside the anchor or
// tag written before it.
#include "formats/image_discovery.hpp"
#include "importer/image_rewrite.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace airlock;

namespace {

const std::string k_pinned = "site:5000/org/app@sha256:" + std::string(64, 'a');

std::optional<std::string> pin(const ImageReference&) { return k_pinned; }

}  // namespace

// Found by fuzz/fuzz_yaml_render: `image: !orgAapp:1.NULLx: 1` was
// "rewritten" inside its tag; the value stayed unpinned.
TEST_CASE("an image is found and rewritten after its anchor and tag", "[render]") {
  const std::pair<std::string, std::string> cases[] = {
      {"image: &nginx nginx\n", "image: &nginx " + k_pinned + "\n"},
      {"image: !org/app:1.0 org/app:1.0\n", "image: !org/app:1.0 " + k_pinned + "\n"},
      {"image: &org/app:1.0 !org/app:1.0 \"org/app:1.0\"\n", "image: &org/app:1.0 !org/app:1.0 \"" + k_pinned + "\"\n"},
      {"image: !<org/app:1.0> &x # org/app:1.0\n  org/app:1.0\n",
       "image: !<org/app:1.0> &x # org/app:1.0\n  " + k_pinned + "\n"},
      {"x: [{image: !a1 1, b: 1}]\n", "x: [{image: !a1 " + k_pinned + ", b: 1}]\n"},
      {"env: &quay.io/a/b:1 \"x quay.io/a/b:1\"\n", "env: &quay.io/a/b:1 \"x " + k_pinned + "\"\n"},
  };
  for (const auto& [yaml, expected] : cases) {
    CAPTURE(yaml);
    const auto found = discover_images(yaml, "m.yaml");
    REQUIRE(found.images.size() + found.embedded.size() == 1);
    const auto& image = found.images.empty() ? found.embedded[0] : found.images[0];
    REQUIRE(image.offset != std::string::npos);
    CHECK(yaml.substr(image.offset, image.text.size()) == image.text);
    const auto out = render_images(yaml, "m.yaml", pin);
    CHECK(out.text == expected);
    REQUIRE(out.rewrites.size() == 1);
    CHECK(out.rewrites[0].where.starts_with("m.yaml:"));
  }
}
