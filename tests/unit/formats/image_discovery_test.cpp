#include "formats/image_discovery.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

std::vector<std::string> texts(const std::vector<FoundImage>& found) {
  std::vector<std::string> out;
  for (const auto& f : found) out.push_back(f.text);
  return out;
}

}  // namespace

TEST_CASE("discover_images finds containers of every workload kind", "[image_discovery]") {
  const std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers:
        - {name: migrate, image: "registry.example.com/platform/migrate:3.1"}
      containers:
        - name: api
          image: registry.example.com/platform/api:3.1
        - name: proxy
          image: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers: [{name: db, image: "postgres:15"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: b, image: "busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111"}]
---
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers: [{name: main, image: "localhost:5000/tools/main:1"}]
  ephemeralContainers: [{name: dbg, image: "docker.io/library/alpine:3.19"}]
)";
  const auto r = discover_images(yaml, "k8s/app.yaml");
  CHECK(r.embedded.empty());
  CHECK(r.errors.empty());
  // Every occurrence, in file order.
  REQUIRE(texts(r.images) == std::vector<std::string>{
                                 "registry.example.com/platform/migrate:3.1",
                                 "registry.example.com/platform/api:3.1",
                                 "nginx",
                                 "postgres:15",
                                 "busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                                 "localhost:5000/tools/main:1",
                                 "docker.io/library/alpine:3.19",
                             });
  CHECK(r.images[0].where == "k8s/app.yaml:8");
  CHECK(r.images[0].context == "Deployment/api spec.template.spec.initContainers[0].image");
  CHECK(r.images[1].where == "k8s/app.yaml:11");
  CHECK(r.images[1].context == "Deployment/api spec.template.spec.containers[0].image");
  CHECK(r.images[2].reference.str() == "docker.io/library/nginx:latest");
  CHECK(r.images[2].context == "Deployment/api spec.template.spec.containers[1].image");
  CHECK(r.images[3].context == "StatefulSet/db spec.template.spec.containers[0].image");
  CHECK(r.images[4].where == "k8s/app.yaml:31");
  CHECK(r.images[4].context == "CronJob/backup spec.jobTemplate.spec.template.spec.containers[0].image");
  CHECK(r.images[4].reference.digest.has_value());
  CHECK(r.images[5].reference.registry == "localhost:5000");
  CHECK(r.images[6].context == "Pod/debug spec.ephemeralContainers[0].image");
}

TEST_CASE("discover_images: custom resources yes, CRD schemas no", "[image_discovery]") {
  const std::string yaml = R"(apiVersion: example.com/v1
kind: Runner
metadata: {name: r}
spec:
  image: registry.example.com/platform/runner:7
  podTemplate:
    spec:
      containers: [{name: w, image: "registry.example.com/platform/worker:7"}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: runners.example.com}
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            image: {type: string, default: "quay.io/acme/never:1.0"}
            sidecar:
              properties:
                image: {type: string}
              example: {image: "quay.io/acme/never:2.0"}
)";
  const auto r = discover_images(yaml, "crd.yaml");
  CHECK(texts(r.images) ==
        std::vector<std::string>{"registry.example.com/platform/runner:7", "registry.example.com/platform/worker:7"});
  CHECK(r.images[0].context == "Runner/r spec.image");
  CHECK(r.images[1].context == "Runner/r spec.podTemplate.spec.containers[0].image");
  // Nothing from the CRD, not even as a warning.
  CHECK(r.embedded.empty());
  CHECK(r.errors.empty());
}

TEST_CASE("discover_images warns about image-like strings outside image fields", "[image_discovery]") {
  const std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/platform/api:3.1
          args:
            - "--sidecar-image=ignored"
            - ghcr.io/acme/sidecar:0.9
            - nginx:1.25
          env:
            - {name: HELPER_IMAGE, value: "quay.io/acme/helper:1.0"}
            - {name: URL, value: "https://example.com/path"}
            - {name: HOST, value: "example.com/path"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  runner: localhost:5000/ci/runner@sha256:2222222222222222222222222222222222222222222222222222222222222222
)";
  const auto r = discover_images(yaml, "app.yaml");
  CHECK(texts(r.images) == std::vector<std::string>{"registry.example.com/platform/api:3.1"});
  // Registry-qualified and tagged or pinned: flagged. Bare names, URLs and
  // untagged paths: too common in free text to flag.
  REQUIRE(texts(r.embedded) ==
          std::vector<std::string>{
              "ghcr.io/acme/sidecar:0.9", "quay.io/acme/helper:1.0",
              "localhost:5000/ci/runner@sha256:2222222222222222222222222222222222222222222222222222222222222222"});
  CHECK(r.embedded[0].where == "app.yaml:12");
  CHECK(r.embedded[0].context == "Deployment/api spec.template.spec.containers[0].args[1]");
  CHECK(r.embedded[0].reference.str() == "ghcr.io/acme/sidecar:0.9");
  CHECK(r.embedded[1].where == "app.yaml:15");
  CHECK(r.embedded[1].context == "Deployment/api spec.template.spec.containers[0].env[0].value");
  CHECK(r.embedded[2].where == "app.yaml:23");
  CHECK(r.embedded[2].context == "ConfigMap/cfg data.runner");
  CHECK(r.errors.empty());
}

TEST_CASE("discover_images reports image fields that are not references", "[image_discovery]") {
  const std::string yaml = R"(kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - {name: a, image: "{{ .Values.image }}"}
        - {name: b, image: ""}
        - {name: c, image: "Registry.Example.com/App"}
)";
  const auto r = discover_images(yaml, "tmpl.yaml");
  CHECK(r.images.empty());  // an empty image is no image and no error
  REQUIRE(r.errors.size() == 2);
  CHECK_THAT(r.errors[0], Catch::StartsWith("tmpl.yaml:7: Deployment/api spec.template.spec.containers[0].image"));
  CHECK_THAT(r.errors[0], Catch::Contains("\"{{ .Values.image }}\" is not an image reference"));
  CHECK_THAT(r.errors[1], Catch::StartsWith("tmpl.yaml:9:"));
}

TEST_CASE("discover_images skips documents that are not objects", "[image_discovery]") {
  const auto r = discover_images("---\n---\n- image: a/b:1\n---\njust text\n---\nimage: nginx:1\n", "odd.yaml");
  REQUIRE(r.images.size() == 1);
  CHECK(r.images[0].text == "nginx:1");
  CHECK(r.images[0].where == "odd.yaml:7");
  CHECK(r.images[0].context == "(no kind) image");
  CHECK(discover_images("", "empty.yaml").images.empty());
}

TEST_CASE("discover_images names file:line when the YAML does not parse", "[image_discovery]") {
  REQUIRE_THROWS_MATCHES(discover_images("kind: Pod\nspec: {containers: [\n", "bad.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"bad.yaml:", "not valid YAML"}));
  REQUIRE_THROWS_MATCHES(discover_images("a: b\n  c: d\n", "bad.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"bad.yaml:2", "not valid YAML"}));
}

TEST_CASE("discover_images with kustomize: the transformer's fields come back as written", "[image_discovery]") {
  const std::string yaml = R"(kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      initContainers: [{name: i, image: "redis"}]
      containers:
        - {name: a, image: "${IMAGE}"}
        - {name: b, image: app:latest, args: ["--helper=quay.io/org/h:1"]}
      ephemeralContainers: [{name: e, image: "quay.io/org/debug:1"}]
---
kind: CustomResourceDefinition
spec: {containers: [{image: "Not Valid"}]}
)";
  const auto found = discover_images(yaml, "d.yaml", {.kustomize = true});
  CHECK(found.errors.empty());  // "${IMAGE}" is judged after the transformers
  REQUIRE(found.kustomize_fields.size() == 3);
  CHECK(found.kustomize_fields[0].text == "redis");
  CHECK(found.kustomize_fields[1].text == "${IMAGE}");
  CHECK(found.kustomize_fields[1].where == "d.yaml:8");
  CHECK(found.kustomize_fields[1].context == "Deployment/app spec.template.spec.containers[0].image");
  CHECK(found.kustomize_fields[2].offset == yaml.find("app:latest"));
  CHECK(texts(found.images) == std::vector<std::string>{"quay.io/org/debug:1"});  // not the transformer's
  CHECK(texts(found.embedded) == std::vector<std::string>{"quay.io/org/h:1"});
  // Without the option, the same YAML is checked as before.
  CHECK(discover_images(yaml, "d.yaml").errors.size() == 1);
}
