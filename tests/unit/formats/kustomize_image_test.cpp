// kustomize's images transformer, case by case as `kubectl kustomize`
// (kustomize v5.5.0) applied it to the same values.
#include "formats/kustomize_image.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace airlock;

namespace {

const std::string k_d = "sha256:0123456789012345678901234567890123456789012345678901234567890123";
const std::string k_e = "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd";

KustomizeImage entry(std::string name, std::string new_name, std::string new_tag, std::string digest) {
  return {std::move(name), std::move(new_name), std::move(new_tag), std::move(digest), "k.yaml:1"};
}

}  // namespace

TEST_CASE("a name matches its tags and digests, as written", "[kustomize_image]") {
  // images: [{name: nginx, newTag: "9"}] over containers c1..c7.
  for (const std::string& v : {std::string("nginx"), std::string("nginx:1.25"), "nginx@" + k_d, "nginx:1.25@" + k_d}) {
    CAPTURE(v);
    CHECK(kustomize_image_matches("nginx", v));
    CHECK(apply_kustomize_image(entry("nginx", "", "9", ""), v) == "nginx:9");
  }
  // No docker.io normalisation, no prefix match, a registry's port is not a tag.
  for (const std::string& v :
       std::vector<std::string>{"docker.io/library/nginx:1.25", "nginxx:1", "localhost:5000/nginx:2"}) {
    CAPTURE(v);
    CHECK_FALSE(kustomize_image_matches("nginx", v));
    CHECK(apply_kustomize_image(entry("nginx", "", "9", ""), v) == v);
  }
}

TEST_CASE("a name with a tag selects that tag", "[kustomize_image]") {
  CHECK(apply_kustomize_image(entry("a/x:1", "q/x", "", ""), "a/x:1") == "q/x:1");
  CHECK(apply_kustomize_image(entry("a/x:1", "q/x", "", ""), "a/x:2") == "a/x:2");
  CHECK(kustomize_image_matches("a/x:1", "a/x:1@" + k_d));
  // A name with a digest matches that very reference.
  CHECK(kustomize_image_matches("a/x@" + k_d, "a/x@" + k_d));
  CHECK_FALSE(kustomize_image_matches("a/x:1@" + k_d, "a/x:1"));
}

TEST_CASE("a dot in the name matches any character, as kustomize's regular expression does", "[kustomize_image]") {
  CHECK(apply_kustomize_image(entry("gcr.io/w", "", "dot", ""), "gcrXio/w:1") == "gcrXio/w:dot");
  CHECK(kustomize_image_name_reason("gcr.io/w").empty());
  CHECK_FALSE(kustomize_image_name_reason("a*b").empty());
  CHECK_FALSE(kustomize_image_name_reason("a[0]").empty());
  CHECK_FALSE(kustomize_image_name_reason("a{1}").empty());
  CHECK_FALSE(kustomize_image_name_reason("a\nb").empty());
}

TEST_CASE("the value's tag and digest follow kustomize v5.5's pattern", "[kustomize_image]") {
  // Over image values with name a/x and newName M.
  const auto m = entry("a/x", "M", "", "");
  const std::string h = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef";
  CHECK(apply_kustomize_image(m, "a/x:1@sha256:" + h) == "M:1@sha256:" + h);
  CHECK(apply_kustomize_image(m, "a/x@sha256:" + h + "0") == "M@sha256:" + h + "0");  // 65 digits
  CHECK(apply_kustomize_image(m, "a/x@sha256:xyz") == "M@sha256:xyz");
  CHECK(apply_kustomize_image(m, "a/x@sha256:") == "M@sha256:");
  CHECK(apply_kustomize_image(m, "a/x@sha256:ab_c.d-e{}") == "M@sha256:ab_c.d-e{}");
  CHECK(apply_kustomize_image(m, "a/x:") == "M");
  CHECK(apply_kustomize_image(m, "a/x:{{y}}") == "M:{{y}}");
  for (const std::string& v :
       std::vector<std::string>{"a/x:1:2", "a/x::", "a/x@foo", "a/x:1@sha256:ab@cd", "a/x:1@sha256:ab/cd",
                                "a/x@sha2566:ab", "a/x@Sha256:ab", "a/x:1@sha512:abc"}) {
    CAPTURE(v);
    CHECK(apply_kustomize_image(m, v) == v);
  }
}

TEST_CASE("newName, newTag and digest update the value as kustomize does", "[kustomize_image]") {
  CHECK(apply_kustomize_image(entry("b/y", "", "5", ""), "b/y:1@" + k_d) == "b/y:5");        // newTag drops the digest
  CHECK(apply_kustomize_image(entry("c/z", "", "", k_e), "c/z:1") == "c/z@" + k_e);          // digest drops the tag
  CHECK(apply_kustomize_image(entry("e/u", "", "t", k_e), "e/u@" + k_d) == "e/u:t@" + k_e);  // both: tag@digest
  CHECK(apply_kustomize_image(entry("h/r", "", "", k_e), "h/r") == "h/r@" + k_e);
  CHECK(apply_kustomize_image(entry("d/v", "d/v2", "", ""), "d/v:1") == "d/v2:1");
  CHECK(apply_kustomize_image(entry("d/v2", "", "chained", ""), "d/v2:1") == "d/v2:chained");
  // A host without a '/': its ":port" reads as a tag; with one, it does not.
  CHECK(apply_kustomize_image(entry("localhost", "", "T", ""), "localhost:5000") == "localhost:T");
  CHECK(apply_kustomize_image(entry("localhost:5000/a", "", "V", ""), "localhost:5000/a:1") == "localhost:5000/a:V");
  // The release transformer of metrics-server.
  CHECK(apply_kustomize_image(entry("gcr.io/k8s-staging-metrics-server/metrics-server",
                                    "registry.k8s.io/metrics-server/metrics-server", "v0.9.0", ""),
                              "gcr.io/k8s-staging-metrics-server/metrics-server:master") ==
        "registry.k8s.io/metrics-server/metrics-server:v0.9.0");
}

TEST_CASE("split_kustomize_image: the first '/' ends a host", "[kustomize_image]") {
  const auto a = split_kustomize_image("registry.local:5000/team/app:1.2@" + k_d);
  CHECK(a.name == "registry.local:5000/team/app");
  CHECK(a.tag == "1.2");
  CHECK(a.digest == k_d);
  const auto b = split_kustomize_image("app@" + k_d);
  CHECK(b.name == "app");
  CHECK(b.tag.empty());
  CHECK(b.digest == k_d);
  const auto c = split_kustomize_image("registry.local:5000/team/app");
  CHECK(c.name == "registry.local:5000/team/app");
  CHECK(c.tag.empty());
  CHECK(split_kustomize_image("a/x:1:2").tag == "1:2");
}
