// The in-place rewrite keeps every byte but the image scalars: a reviewer's
// diff of the committed YAML shows images only.
#include "importer/image_rewrite.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

// Pins every docker.io/org/* image at a fixed site reference.
std::optional<std::string> pin(const ImageReference& ref) {
  if (ref.registry != "docker.io" || !ref.repository.starts_with("org/")) return std::nullopt;
  return "site:5000/" + ref.repository + ":" + ref.tag.value_or("latest") + "@sha256:" + std::string(64, 'a');
}
const std::string pinned_app = "site:5000/org/app:1.0@sha256:" + std::string(64, 'a');

}  // namespace

TEST_CASE("plain, quoted and flow-style image scalars are rewritten in place", "[render]") {
  const std::string yaml = "# leading comment\n"
                           "kind: Deployment\n"
                           "spec:\n"
                           "  template:\n"
                           "    spec:\n"
                           "      containers:\n"
                           "        - image: org/app:1.0   # trailing comment\n"
                           "        - {name: b, image: \"org/app:1.0\"}\n"
                           "        - {name: c, image: 'org/app:1.0', x: 1}\n"
                           "        - image: quay.io/other/x:1\n";
  const auto out = render_images(yaml, "f.yaml", pin);
  CHECK(out.text == "# leading comment\n"
                    "kind: Deployment\n"
                    "spec:\n"
                    "  template:\n"
                    "    spec:\n"
                    "      containers:\n"
                    "        - image: " +
                        pinned_app +
                        "   # trailing comment\n"
                        "        - {name: b, image: \"" +
                        pinned_app +
                        "\"}\n"
                        "        - {name: c, image: '" +
                        pinned_app +
                        "', x: 1}\n"
                        "        - image: quay.io/other/x:1\n");
  REQUIRE(out.rewrites.size() == 3);
  CHECK(out.rewrites[0].where == "f.yaml:7");
  CHECK(out.rewrites[0].from == "org/app:1.0");
  CHECK(out.rewrites[0].to == pinned_app);
}

TEST_CASE("every document of a multi-document file, and image-like strings elsewhere", "[render]") {
  const std::string yaml = "kind: Pod\nspec: {containers: [{image: org/app:1.0}]}\n---\n"
                           "kind: ConfigMap\ndata:\n  img: docker.io/org/app:1.0\n  text: not an image\n";
  const auto out = render_images(yaml, "m.yaml", pin);
  CHECK(out.text == "kind: Pod\nspec: {containers: [{image: " + pinned_app + "}]}\n---\n" +
                        "kind: ConfigMap\ndata:\n  img: " + pinned_app + "\n  text: not an image\n");
  CHECK(out.rewrites.size() == 2);
}

TEST_CASE("an anchored image and its alias are rewritten once, at the anchor", "[render]") {
  const std::string yaml = "a:\n  image: &img org/app:1.0\nb:\n  image: *img\n";
  const auto out = render_images(yaml, "a.yaml", pin);
  CHECK(out.text == "a:\n  image: &img " + pinned_app + "\nb:\n  image: *img\n");
  CHECK(out.rewrites.size() == 1);
}

TEST_CASE("images the target does not know are left byte for byte", "[render]") {
  const std::string yaml = "spec:\n  image:   \"quay.io/x/y:2\"  # keep\n";
  const auto out = render_images(yaml, "k.yaml", pin);
  CHECK(out.text == yaml);
  CHECK(out.rewrites.empty());
}

TEST_CASE("block scalars are rewritten in place: they hold the text as written", "[render]") {
  const std::string yaml = "spec:\n  image: |-\n    org/app:1.0\n  other: >\n    docker.io/org/app:1.0\n";
  const auto out = render_images(yaml, "b.yaml", pin);
  CHECK(out.text == "spec:\n  image: |-\n    " + pinned_app + "\n  other: >\n    " + pinned_app + "\n");
}

TEST_CASE("an image escaped in a double-quoted string cannot be rewritten in place", "[render]") {
  const std::string yaml = "spec:\n  image: \"org\\/app:1.0\"\n";
  REQUIRE_THROWS_MATCHES(render_images(yaml, "b.yaml", pin), UsageError,
                         FailsWith(ExitCode::usage, {"b.yaml:2", "cannot rewrite the image \"org/app:1.0\""}));
}

TEST_CASE("YAML that does not parse names file and line", "[render]") {
  REQUIRE_THROWS_MATCHES(render_images("a: [1,\nb: c\n", "bad.yaml", pin), UsageError,
                         FailsWith(ExitCode::usage, {"bad.yaml:", "not valid YAML"}));
}
