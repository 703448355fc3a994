#include "formats/image_reference.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

const std::string k_hex = "4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";

struct Case {
  std::string text;
  std::string registry;
  std::string repository;
  std::optional<std::string> tag;
  bool digest;
  std::string str;
};

}  // namespace

TEST_CASE("ImageReference normalises as docker does", "[image_reference]") {
  const Case cases[] = {
      {"nginx", "docker.io", "library/nginx", "latest", false, "docker.io/library/nginx:latest"},
      {"nginx:1.25", "docker.io", "library/nginx", "1.25", false, "docker.io/library/nginx:1.25"},
      {"bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", false, "docker.io/bitnami/redis:7.2"},
      {"docker.io/nginx", "docker.io", "library/nginx", "latest", false, "docker.io/library/nginx:latest"},
      {"index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", false,
       "docker.io/library/nginx:1"},
      {"registry-1.docker.io/grafana/grafana:10", "docker.io", "grafana/grafana", "10", false,
       "docker.io/grafana/grafana:10"},
      {"quay.io/argoproj/argo-rollouts:v1.7.2", "quay.io", "argoproj/argo-rollouts", "v1.7.2", false,
       "quay.io/argoproj/argo-rollouts:v1.7.2"},
      // A host without a dot or port is a host only when it is localhost.
      {"localhost/app", "localhost", "app", "latest", false, "localhost/app:latest"},
      {"localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", false,
       "localhost:5000/team/app:dev"},
      {"myhost:5000/app", "myhost:5000", "app", "latest", false, "myhost:5000/app:latest"},
      {"library/app", "docker.io", "library/app", "latest", false, "docker.io/library/app:latest"},
      {"ghcr.io/a/b/c/d:1_x.y-z", "ghcr.io", "a/b/c/d", "1_x.y-z", false, "ghcr.io/a/b/c/d:1_x.y-z"},
      // Pinned by digest only: no implicit ":latest".
      {"registry.example.com:5000/platform/agent@sha256:" + k_hex, "registry.example.com:5000",
       "platform/agent", std::nullopt, true, "registry.example.com:5000/platform/agent@sha256:" + k_hex},
      // Tag and digest: both kept.
      {"nginx:1.25@sha256:" + k_hex, "docker.io", "library/nginx", "1.25", true,
       "docker.io/library/nginx:1.25@sha256:" + k_hex},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const auto ref = ImageReference::parse(c.text, "test");
    CHECK(ref.registry == c.registry);
    CHECK(ref.repository == c.repository);
    CHECK(ref.tag == c.tag);
    CHECK(ref.digest.has_value() == c.digest);
    if (c.digest) CHECK(ref.digest->hex() == k_hex);
    CHECK(ref.str() == c.str);
    // str() is canonical: parsing it again changes nothing.
    CHECK(ImageReference::parse(ref.str(), "test").str() == c.str);
    const auto again = ImageReference::try_parse(c.text);
    REQUIRE(again);
    CHECK(again->str() == c.str);
  }
}

TEST_CASE("ImageReference rejects what is not a reference, naming where and why", "[image_reference]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty reference"},
      {"Nginx", "not a valid repository path"},
      {"quay.io/Org/app:1", "not a valid repository path"},
      {"nginx:", "not a valid tag"},
      {"nginx:-rc1", "not a valid tag"},
      {"nginx@sha256:abc", "not a sha256 digest"},
      {"nginx@sha512:" + k_hex, "not a sha256 digest"},
      {"nginx@", "not a sha256 digest"},
      {"quay.io/", "not a valid repository path"},
      {"my_host.io/app", "not a valid registry host"},
      {"a//b", "not a valid repository path"},
      {"app/", "not a valid repository path"},
      {"/app", "not a valid repository path"},
      {"nginx latest", "not a valid repository path"},
      {"quay.io/" + std::string(510, 'a'), "longer than 512"},
  };
  for (const auto& [text, why] : cases) {
    CAPTURE(text);
    CHECK_FALSE(ImageReference::try_parse(text));
    REQUIRE_THROWS_MATCHES(ImageReference::parse(text, "spec.yaml:7"), UsageError,
                           FailsWith(ExitCode::usage, {"spec.yaml:7", "\"" + text + "\"", why}));
  }
}

TEST_CASE("ImageReference::bundle_name drops the host", "[image_reference][image_name]") {
  CHECK(ImageReference::parse("nginx", "t").bundle_name() == "library/nginx:latest");
  CHECK(ImageReference::parse("quay.io/argoproj/argo-rollouts:v1.7.2", "t").bundle_name() ==
        "argoproj/argo-rollouts:v1.7.2");
  CHECK(ImageReference::parse("localhost:5000/team/app:dev", "t").bundle_name() == "team/app:dev");
  // Tag and digest: the tag names it.
  CHECK(ImageReference::parse("nginx:1.25@sha256:" + k_hex, "t").bundle_name() == "library/nginx:1.25");
  // Digest only: a tag made from the digest.
  CHECK(ImageReference::parse("ghcr.io/a/b@sha256:" + k_hex, "t").bundle_name() == "a/b:sha256-" + k_hex);
}

// docker's grammar is host[:digits]: a non-numeric or double port is refused.
TEST_CASE("ImageReference rejects a registry port that is not a number", "[image_reference]") {
  for (const char* text : {"nginx:a/b", "quay.io:abc/org/app:1", "localhost:5000:1/app"}) {
    CAPTURE(text);
    CHECK_FALSE(ImageReference::try_parse(text));
  }
}
