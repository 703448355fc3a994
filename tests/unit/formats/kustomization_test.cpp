#include "formats/kustomization.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace airlock;
using airlock::test::FailsWith;

TEST_CASE("a kustomization: what a build reads, in kustomize's order", "[kustomization]") {
  const std::string text = R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deploy.yaml
  - ../base
bases: [../legacy]
components: [../../components/release]
images:
  - name: gcr.io/k8s-staging-metrics-server/metrics-server
    newName: registry.k8s.io/metrics-server/metrics-server
    newTag: v0.9.0
  - {name: redis, digest: "sha256:abc"}
  - {name: app, newTag: ~}
patches:
  - path: patch.yaml
  - target: {kind: Job}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/image
        value: x:1
patchesStrategicMerge:
  - smp.yaml
patchesJson6902:
  - {target: {kind: Deployment}, path: ops.yaml}
configMapGenerator:
  - {name: c, files: [app.properties, key=other.txt], envs: [e.env]}
secretGenerator:
  - {name: s, env: s.env}
crds: [crd.json]
configurations: [conf.yaml]
replacements:
  - path: repl.yaml
  - source: {kind: ConfigMap, fieldPath: data.image}
    targets:
      - select: {kind: Deployment}
        fieldPaths: [spec.template.spec.containers.0.image]
transformers: [plugin.yaml]
namespace: kube-system
commonLabels: {app: x}
)";
  const auto k = parse_kustomization(text, "k.yaml");
  CHECK_FALSE(k.component);
  REQUIRE(k.resources.size() == 3);
  CHECK(k.resources[0].path == "deploy.yaml");
  CHECK(k.resources[0].where == "k.yaml:4");
  CHECK(k.resources[2].path == "../legacy");  // bases follow resources, as kustomize appends them
  REQUIRE(k.components.size() == 1);
  REQUIRE(k.images.size() == 3);
  CHECK(k.images[0].new_name == "registry.k8s.io/metrics-server/metrics-server");
  CHECK(k.images[0].new_tag == "v0.9.0");
  CHECK(k.images[0].where == "k.yaml:9");
  CHECK(k.images[1].digest == "sha256:abc");
  CHECK(k.images[2].new_tag.empty());  // null is the empty string
  // patchesStrategicMerge, then patches, then patchesJson6902.
  REQUIRE(k.patches.size() == 4);
  CHECK(k.patches[0].kind == KustomizationPatch::Kind::strategic_merge);
  CHECK(k.patches[0].path == std::optional<std::string>("smp.yaml"));
  CHECK(k.patches[1].path == std::optional<std::string>("patch.yaml"));
  CHECK(k.patches[2].kind == KustomizationPatch::Kind::detect);
  CHECK_FALSE(k.patches[2].path);
  CHECK(k.patches[2].text.starts_with("- op: add"));
  CHECK(k.patches[2].line == 18);  // the line after "patch: |-"
  CHECK(k.patches[3].kind == KustomizationPatch::Kind::json6902);
  std::vector<std::string> files;
  for (const auto& f : k.files) files.push_back(f.path);
  CHECK(files == std::vector<std::string>{"app.properties", "other.txt", "e.env", "s.env", "crd.json", "plugin.yaml"});
  REQUIRE(k.configurations.size() == 1);
  REQUIRE(k.replacements.size() == 1);
  REQUIRE(k.notes.size() == 2);
  CHECK(k.notes[0].starts_with("k.yaml:36: a replacement sets spec.template.spec.containers.0.image"));
  CHECK(k.notes[1].starts_with("k.yaml:37: transformers plugins are not followed"));
}

TEST_CASE("a Component, an empty file and kustomize's typing", "[kustomization]") {
  CHECK(parse_kustomization("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n", "c.yaml").component);
  CHECK(parse_kustomization("", "e.yaml").resources.empty());
  CHECK(parse_kustomization("images:\n  - {name: a, newTag: \"1.0\"}\n", "q.yaml").images[0].new_tag == "1.0");
  CHECK(parse_kustomization("images:\n  - {name: a, newTag: 1.2.3}\n", "q.yaml").images[0].new_tag == "1.2.3");
  CHECK(parse_kustomization("images:\n  - {name: a, newTag: 1:20}\n", "q.yaml").images[0].new_tag == "1:20");
  for (const std::string& v :
       std::vector<std::string>{"1.0", "10", "1e3", "0x1F", "007", ".5", "true", "Yes", "ON", "n", "y"}) {
    CAPTURE(v);
    REQUIRE_THROWS_MATCHES(parse_kustomization("images:\n  - name: a\n    newTag: " + v + "\n", "q.yaml"), UsageError,
                           FailsWith(ExitCode::usage, {"q.yaml:3", "reads as a number or a boolean"}));
  }
}

TEST_CASE("what a kustomization parse refuses names file:line", "[kustomization]") {
  const auto refuses = [](const std::string& text, std::initializer_list<std::string> parts) {
    CAPTURE(text);
    REQUIRE_THROWS_MATCHES(parse_kustomization(text, "k.yaml"), UsageError, FailsWith(ExitCode::usage, parts));
  };
  refuses("resources:\n  - [a\n", {"k.yaml:", "not valid YAML"});
  refuses("- a\n- b\n", {"k.yaml:1", "must be a YAML mapping"});
  refuses("kind: Deployment\n", {"k.yaml:1", "neither Kustomization nor Component"});
  refuses("resources: a.yaml\n", {"k.yaml:1", "resources must be a list"});
  refuses("resources:\n  - {a: b}\n", {"k.yaml:2", "must be a path"});
  refuses("images:\n  - {name: a, tagSuffix: -x}\n", {"k.yaml:2", "tagSuffix is not supported"});
  refuses("images:\n  - {name: a, newtag: x}\n", {"k.yaml:2", "unknown images key \"newtag\""});
  refuses("images:\n  - {name: \"a*\", newTag: x}\n", {"k.yaml:2", "regular expression"});
  refuses("images:\n  - a\n", {"k.yaml:2", "an images entry is a mapping"});
  refuses("helmCharts:\n  - {name: x}\n", {"k.yaml:2", "helmCharts", "helm template"});
  refuses("a: &a [*a]\n", {"k.yaml:1"});  // yaml_scan's limits come first
}

TEST_CASE("JSON 6902 patches: the values they put in container image fields", "[kustomization]") {
  const std::string ops = R"(- op: replace
  path: /spec/template/spec/containers/0/image
  value: quay.io/org/app:2
- op: add
  path: /spec/template/spec/initContainers/-
  value: {name: wait, image: "busybox:1.36"}
- op: add
  path: /spec/template/spec
  value:
    containers:
      - {name: c, image: c:1}
- op: replace
  path: /spec/template/spec/containers/0/imagePullPolicy
  value: Never
- op: add
  path: /spec/template/spec/ephemeralContainers/0/image
  value: e:1
- op: remove
  path: /spec/template/spec/containers/1/image
- {op: test, path: /spec/template/spec/containers/0/image, value: t:1}
)";
  CHECK(is_json6902_patch(ops, "ops.yaml"));
  CHECK_FALSE(is_json6902_patch("kind: Deployment\n", "smp.yaml"));
  const auto fields = json6902_image_fields(ops, "ops.yaml");
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].text == "quay.io/org/app:2");
  CHECK(fields[0].where == "ops.yaml:3");
  CHECK(fields[0].context == "patch /spec/template/spec/containers/0/image");
  CHECK(fields[1].text == "busybox:1.36");
  CHECK(fields[1].context == "patch /spec/template/spec/initContainers/-/image");
  CHECK(fields[2].text == "c:1");
  CHECK(fields[2].where == "ops.yaml:11");
  // JSON works as well; a pointer's ~1 is a '/'.
  const auto json =
      json6902_image_fields(R"([{"op": "add", "path": "/spec/containers/0/image", "value": "x:1"}])", "ops.json");
  REQUIRE(json.size() == 1);
  CHECK(json[0].text == "x:1");
  CHECK(json6902_image_fields(R"([{"op": "add", "path": "/a~1containers/0/image", "value": "x:1"}])", "o").empty());
  REQUIRE_THROWS_MATCHES(json6902_image_fields("kind: x\n", "ops.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"ops.yaml:1", "list of operations"}));
}

TEST_CASE("replacement files and configurations", "[kustomization]") {
  const auto notes = replacement_image_notes(R"(- source: {kind: ConfigMap, fieldPath: data.x}
  targets:
    - select: {kind: Deployment}
      fieldPaths: ["spec.template.spec.containers.[name=app].image", metadata.labels.x]
)",
                                             "repl.yaml");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].starts_with("repl.yaml:4: a replacement sets spec.template.spec.containers.[name=app].image"));
  CHECK(configuration_sets_images("images:\n  - path: spec/image\n    kind: Thing\n", "c.yaml"));
  CHECK_FALSE(configuration_sets_images("nameReference: []\n", "c.yaml"));
}
