#include "importer/kustomize_render.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace airlock;

namespace {

const std::string k_d = "sha256:" + std::string(63, '0') + "1";

std::vector<std::string> names(const std::vector<KustomizeImageMapping>& m) {
  std::vector<std::string> out;
  for (const auto& x : m) out.push_back(x.name);
  return out;
}

}  // namespace

TEST_CASE("a mapping comes after every mapping whose value its name would match", "[kustomize_render]") {
  // kubectl kustomize, over nginx, nginx:1.25, nginx@D and nginx:1.25@D: in
  // the order given, the first entry takes all four; in this order each
  // takes its own.
  std::vector<KustomizeImageMapping> in;
  for (const auto& n : std::vector<std::string>{"nginx", "nginx:1.25", "nginx@" + k_d, "nginx:1.25@" + k_d, "redis:7"})
    in.push_back({n, "site/x", "t", "sha256:" + std::string(64, '9')});
  CHECK(names(order_image_mappings(in)) ==
        std::vector<std::string>{"nginx@" + k_d, "nginx:1.25@" + k_d, "nginx:1.25", "nginx", "redis:7"});
  // A '.' in a name matches any character: gcrXio/w:1 goes first.
  CHECK(names(order_image_mappings({{"gcr.io/w:1", "a", "b", "c"}, {"gcrXio/w:1", "a", "b", "c"}})) ==
        std::vector<std::string>{"gcrXio/w:1", "gcr.io/w:1"});
  // Unrelated ones keep their order.
  CHECK(names(order_image_mappings({{"b:1", "a", "b", "c"}, {"a:1", "a", "b", "c"}})) ==
        std::vector<std::string>{"b:1", "a:1"});
}

TEST_CASE("the images block quotes every value", "[kustomize_render]") {
  CHECK(images_block({}).empty());
  CHECK(images_block({{"quay.io/org/app:1.0", "site:5000/p/org/app", "1.0", k_d}}) ==
        "images:\n  - name: \"quay.io/org/app:1.0\"\n    newName: \"site:5000/p/org/app\"\n    newTag: \"1.0\"\n"
        "    digest: \"" +
            k_d + "\"\n");
}

TEST_CASE("a kustomize resource keeps the fields the transformer sets", "[kustomize_render]") {
  const std::string yaml = "kind: Deployment\nspec:\n  template:\n    spec:\n"
                           "      initContainers:\n        - image: quay.io/org/app:1\n"
                           "      containers:\n        - image: quay.io/org/app:1\n"
                           "          args: [\"--helper=quay.io/org/app:1\"]\n"
                           "      ephemeralContainers:\n        - image: quay.io/org/app:1\n";
  const auto out = render_kustomize_resource(yaml, "f.yaml", [](const ImageReference& r) -> std::optional<std::string> {
    if (r.repository != "org/app") return std::nullopt;
    return "site/org/app:1@" + k_d;
  });
  CHECK(out.text == "kind: Deployment\nspec:\n  template:\n    spec:\n"
                    "      initContainers:\n        - image: quay.io/org/app:1\n"
                    "      containers:\n        - image: quay.io/org/app:1\n"
                    "          args: [\"--helper=site/org/app:1@" +
                        k_d +
                        "\"]\n"
                        "      ephemeralContainers:\n        - image: site/org/app:1@" +
                        k_d + "\n");
  CHECK(out.rewrites.size() == 2);
}
