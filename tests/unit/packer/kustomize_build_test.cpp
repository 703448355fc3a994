// The walk of a kustomize build, on trees in memory. The expected images
// are what `kubectl kustomize` (v5.5.0) built from the same trees.
#include "packer/kustomize_build.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

// A tree of files in memory; `others` are files the listing did not collect.
struct Tree {
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> others;

  KustomizeTree view() {
    KustomizeTree t;
    t.files = &files;
    t.show = [](const std::string& rel) { return "v/" + rel; };
    t.read_other = [this](const std::string& rel, const std::string&) -> std::optional<std::string> {
      const auto it = others.find(rel);
      if (it == others.end()) return std::nullopt;
      return it->second;
    };
    t.is_directory = [this](const std::string& rel) {
      if (rel.empty()) return true;
      for (const auto* m : {&files, &others})
        for (const auto& [path, text] : *m)
          if (path.starts_with(rel + "/")) return true;
      return false;
    };
    return t;
  }
};

std::string pod(const std::string& image) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: c1, image: \"" + image +
         "\"}\n";
}

std::vector<std::string> values(const KustomizeBuild& b) {
  std::vector<std::string> out;
  for (const auto& u : b.uses) out.push_back(u.value);
  return out;
}

// The tree of the components experiment: base x0 -> x1, comp1 x1 -> x2,
// comp2 x2 -> x3, the overlay's own entry last.
Tree components_tree(const std::string& components, const std::string& own) {
  Tree t;
  t.files["base/d.yaml"] = pod("x0:1");
  t.files["base/kustomization.yaml"] = "resources: [d.yaml]\nimages:\n- {name: x0, newName: x1}\n";
  t.files["comp1/kustomization.yaml"] =
      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n- {name: x1, newName: x2}\n";
  t.files["comp2/kustomization.yaml"] =
      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n- {name: x2, newName: x3}\n";
  t.files["ov/kustomization.yaml"] = "resources: [../base]\ncomponents: [" + components + "]\nimages:\n- " + own + "\n";
  return t;
}

}  // namespace

TEST_CASE("inner kustomizations first, then components in order, then the overlay's own images", "[kustomize_build]") {
  {
    auto t = components_tree("../comp1, ../comp2", "{name: x3, newTag: final}");
    const auto b = build_kustomize(t.view(), "ov", "spec.yaml:5");
    CHECK(values(b) == std::vector<std::string>{"x3:final"});
    REQUIRE(b.uses.size() == 1);
    CHECK(b.uses[0].field.text == "x0:1");
    CHECK(b.uses[0].field.where == "v/base/d.yaml:6");
    CHECK(b.uses[0].set_by == std::vector<std::string>{"v/base/kustomization.yaml:3", "v/comp1/kustomization.yaml:4",
                                                       "v/comp2/kustomization.yaml:4", "v/ov/kustomization.yaml:4"});
  }
  {
    auto t = components_tree("../comp2, ../comp1", "{name: x3, newTag: final}");
    CHECK(values(build_kustomize(t.view(), "ov", "spec.yaml:5")) == std::vector<std::string>{"x2:1"});
  }
  {  // The component ran before the overlay's own entry, which no longer matches.
    auto t = components_tree("../comp1", "{name: x1, newName: own}");
    CHECK(values(build_kustomize(t.view(), "ov", "spec.yaml:5")) == std::vector<std::string>{"x2:1"});
    auto u = components_tree("../comp1", "{name: x2, newName: own}");
    CHECK(values(build_kustomize(u.view(), "ov", "spec.yaml:5")) == std::vector<std::string>{"own:1"});
  }
}

TEST_CASE("patches set images before the kustomization's images transformer", "[kustomize_build]") {
  auto t = components_tree("../comp1", "{name: pp, newTag: \"2\"}");
  t.files["ov/patch.yaml"] = pod("pp:1");
  t.files["ov/kustomization.yaml"] =
      "resources: [../base]\npatches:\n- path: patch.yaml\nimages:\n- {name: pp, newTag: \"2\"}\n";
  auto b = build_kustomize(t.view(), "ov", "spec.yaml:5");
  // The base's image stays too: a patch replaces it, but the walk does not apply patches.
  CHECK(values(b) == std::vector<std::string>{"x1:1", "pp:2"});
  CHECK(b.uses[1].field.where == "v/ov/patch.yaml:6");
  CHECK(b.used.contains("ov/patch.yaml"));
  CHECK_FALSE(b.resources.contains("ov/patch.yaml"));

  t.files["ov/kustomization.yaml"] = "resources: [../base]\npatches:\n- target: {kind: Pod}\n  patch: |-\n"
                                     "    - op: replace\n      path: /spec/containers/0/image\n      value: jj:1\n"
                                     "images:\n- {name: jj, newTag: \"2\"}\n";
  b = build_kustomize(t.view(), "ov", "spec.yaml:5");
  CHECK(values(b) == std::vector<std::string>{"x1:1", "jj:2"});
  CHECK(b.uses[1].field.where == "v/ov/kustomization.yaml:7");  // the value's line in the kustomization
}

TEST_CASE("resources, used files and what is not followed", "[kustomize_build]") {
  Tree t;
  t.files["base/kustomization.yaml"] = "resources: [d.yaml]\n";
  t.files["base/d.yaml"] =
      pod("quay.io/org/app:1") +
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: \"ghcr.io/org/h:2\"}\n";
  t.files["app/kustomization.yaml"] =
      "resources: [../base]\nconfigMapGenerator:\n- {name: g, files: [cfg.properties]}\ntransformers: [t.yaml]\n";
  t.files["app/t.yaml"] = "apiVersion: builtin\nkind: PrefixSuffixTransformer\n";
  t.others["app/cfg.properties"] = "a=b\n";
  t.files["unused/kustomization.yaml"] = "resources: []\n";
  const auto b = build_kustomize(t.view(), "app", "spec.yaml:5");
  CHECK(values(b) == std::vector<std::string>{"quay.io/org/app:1"});
  REQUIRE(b.embedded.size() == 1);
  CHECK(b.embedded[0].text == "ghcr.io/org/h:2");
  CHECK(b.resources == std::set<std::string>{"base/d.yaml"});
  CHECK(b.used == std::set<std::string>{"app/cfg.properties", "app/kustomization.yaml", "app/t.yaml", "base/d.yaml",
                                        "base/kustomization.yaml"});
  CHECK(t.files.contains("app/cfg.properties"));  // joins the files the bundle carries
  REQUIRE(b.notes.size() == 1);
  CHECK(b.notes[0].starts_with("v/app/kustomization.yaml:4: transformers plugins are not followed"));
}

TEST_CASE("a build's refusals name file:line", "[kustomize_build]") {
  const auto refuses = [](Tree t, const std::string& entry, std::initializer_list<std::string> parts) {
    REQUIRE_THROWS_MATCHES(build_kustomize(t.view(), entry, "spec.yaml:5"), UsageError,
                           FailsWith(ExitCode::usage, parts));
  };
  Tree base;
  base.files["base/kustomization.yaml"] = "resources: [d.yaml]\n";
  base.files["base/d.yaml"] = pod("a:1");
  base.files["comp/kustomization.yaml"] = "kind: Component\n";

  auto t = base;
  t.files["app/kustomization.yaml"] = "resources:\n- https://github.com/org/repo//deploy?ref=v1\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "is remote", "vendor it"});
  t.files["app/kustomization.yaml"] = "resources:\n- github.com/org/repo/deploy?ref=v1\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "is remote"});
  t.files["app/kustomization.yaml"] = "resources:\n- git@github.com:org/repo.git\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "is remote"});
  t.files["app/kustomization.yaml"] = "resources:\n- ../../outside\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "\"../../outside\" is outside the manifests entry v/"});
  t.files["app/kustomization.yaml"] = "resources:\n- /etc/x.yaml\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "not a path inside the manifests entry"});
  t.files["app/kustomization.yaml"] = "resources:\n- ../nowhere\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "v/nowhere does not exist"});
  t.files["app/kustomization.yaml"] = "resources:\n- ../base/d.yaml\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "is not in or below v/app"});
  t.files["app/kustomization.yaml"] = "resources: [../comp]\n";
  refuses(t, "app", {"v/app/kustomization.yaml:1", "is a Component: list it under components:"});
  t.files["app/kustomization.yaml"] = "components: [../base]\n";
  refuses(t, "app", {"v/app/kustomization.yaml:1", "is a Kustomization, not a Component"});
  t.files["app/kustomization.yaml"] = "resources: [../app]\n";
  refuses(t, "app", {"v/app/kustomization.yaml:1", "includes itself"});
  t.files["app/kustomization.yaml"] = "patches:\n- path: missing.yaml\n";
  refuses(t, "app", {"v/app/kustomization.yaml:2", "patch \"missing.yaml\": v/app/missing.yaml does not exist"});
  t.files["app/kustomization.yaml"] = "resources: [../base]\n";
  t.files["app/kustomization.yml"] = "resources: [../base]\n";
  refuses(t, "app", {"v/app", "more than one kustomization file"});
  t.files.erase("app/kustomization.yml");
  t.files["sub/x.yaml"] = pod("a:1");
  t.files["app/kustomization.yaml"] = "resources: [../sub]\n";
  refuses(t, "app", {"v/app/kustomization.yaml:1", "v/sub holds no kustomization.yaml"});
  refuses(t, "nothing", {"spec.yaml:5", "holds no kustomization"});
  t.files["app/kustomization.yaml"] = "resources: [../base]\nimages:\n- {name: a, newName: \"Not Valid\"}\n";
  // A value that is no reference is the caller's to judge (packer/release_plan): the walk keeps it.
  CHECK(values(build_kustomize(t.view(), "app", "spec.yaml:5")) == std::vector<std::string>{"Not Valid:1"});
}

TEST_CASE("a Kustomization file, and a file the listing skipped, are found", "[kustomize_build]") {
  Tree t;
  t.others["app/Kustomization"] = "resources: [.hidden.yaml]\n";
  t.others["app/.hidden.yaml"] = pod("a:1");
  const auto b = build_kustomize(t.view(), "app", "spec.yaml:5");
  CHECK(values(b) == std::vector<std::string>{"a:1"});
  CHECK(t.files.contains("app/Kustomization"));
  CHECK(t.files.contains("app/.hidden.yaml"));
}
