#include "formats/image_name.hpp"

#include "../error_matcher.hpp"
#include "formats/image_reference.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace airlock;
using airlock::test::FailsWith;

TEST_CASE("ImageName parses repository and tag, defaulting to latest", "[image_name]") {
  const auto a = ImageName::parse("argoproj/argo-rollouts:v1.7.2", "spec");
  CHECK(a.repository == "argoproj/argo-rollouts");
  CHECK(a.tag == "v1.7.2");
  CHECK(a.str() == "argoproj/argo-rollouts:v1.7.2");

  const auto b = ImageName::parse("org/app", "spec");
  CHECK(b.repository == "org/app");
  CHECK(b.tag == "latest");
  CHECK(b.str() == "org/app:latest");

  const auto c = ImageName::parse("app", "spec");
  CHECK(c.repository == "app");  // no "library/": a name is not a docker reference
  CHECK(c.tag == "latest");
}

TEST_CASE("ImageName rejects hosts and malformed parts, naming where", "[image_name]") {
  // A name has no registry host: "localhost:5000/x" leaves ':' in the path.
  REQUIRE_THROWS_MATCHES(ImageName::parse("localhost:5000/x", "spec.yaml:9"), UsageError,
                         FailsWith(ExitCode::usage, {"spec.yaml:9", "localhost:5000/x", "repository path"}));
  for (const char* bad : {"Org/app:1", "org//app", "/app", "app/", "a..b", "-app", "app:"}) {
    CAPTURE(bad);
    REQUIRE_THROWS_MATCHES(ImageName::parse(bad, "spec.yaml:9"), UsageError,
                           FailsWith(ExitCode::usage, {"spec.yaml:9", std::string("\"") + bad + "\""}));
  }
  REQUIRE_THROWS_MATCHES(ImageName::parse("org/app:bad tag", "where"), UsageError,
                         FailsWith(ExitCode::usage, {"where", "\"bad tag\" is not a valid tag"}));
  REQUIRE_THROWS_MATCHES(ImageName::parse("org/app:.hidden", "where"), UsageError,
                         FailsWith(ExitCode::usage, {"\".hidden\" is not a valid tag"}));
}

TEST_CASE("Repository and tag grammar follow the OCI distribution spec", "[image_name]") {
  // Ours, then path components from distribution/reference's regexp_test.go.
  for (const char* ok : {"a", "a/b/c", "a.b", "a_b", "a__b", "a-b", "a---b", "a0/9z", "library/nginx",
                         "test.example.com/my-app", "xn--7o8h.com/myimage", "some_separator__underscore/myimage",
                         "foo/project--id.module--name.ver---sion--name", "docker---rules/docker", "dock__er/docker"}) {
    CAPTURE(ok);
    CHECK(is_valid_repository(ok));
  }
  for (const char* bad : {"",
                          "A",
                          "a___b",
                          "a.-b",
                          "a.",
                          ".a",
                          "a/",
                          "/a",
                          "a//b",
                          "a:b",
                          "a b",
                          "a@b",
                          "a_.b",
                          "a-.b",
                          "a..b",
                          "a._b",
                          "a-_b",
                          "__underscore/myimage",
                          "..dots/myimage",
                          ".dots/myimage",
                          "nodouble..dots/myimage",
                          "docker_/docker_",
                          "_docker/_docker",
                          "____/____",
                          "-docker/docker",
                          "docker-/docker",
                          "foo/bar-",
                          "foo/-bar",
                          "docker/Docker",
                          "asdf$$^/aa",
                          "a^a",
                          "a-"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_repository(bad));
  }
  CHECK(is_valid_repository(std::string(255, 'a')));
  CHECK_FALSE(is_valid_repository(std::string(256, 'a')));

  for (const char* ok :
       {"latest", "v1.7.2", "_x", "1.0-rc.1", "A_b", "TAG5", "Uppercase", "xn--n3h.com", "5000", "__", "a-", "a."}) {
    CAPTURE(ok);
    CHECK(is_valid_tag(ok));
  }
  for (const char* bad : {"", ".x", "-x", "a b", "a/b", "a:b", "a@b", "-foo", "invalid~tag", "caf\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_tag(bad));
  }
  CHECK(is_valid_tag(std::string(128, 'a')));
  CHECK_FALSE(is_valid_tag(std::string(129, 'a')));
}

TEST_CASE("Bundle names per DESIGN.md are valid ImageNames", "[image_name]") {
  // DESIGN.md "Image names": repository path and tag without the host.
  const std::pair<const char*, const char*> cases[] = {
      {"quay.io/argoproj/argo-rollouts:v1.7.2", "argoproj/argo-rollouts:v1.7.2"},
      {"nginx", "library/nginx:latest"},
      {"docker.io/bitnami/redis:7", "bitnami/redis:7"},
      {"registry.example.com:5000/platform/api:3.1", "platform/api:3.1"},
      {"ghcr.io/a/b@sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1",
       "a/b:sha256-4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1"},
  };
  for (const auto& [ref, name] : cases) {
    CAPTURE(ref);
    const auto bundle_name = ImageReference::parse(ref, "t").bundle_name();
    CHECK(bundle_name == name);
    // The importer puts it at <registry>/<prefix>/<name>: it must parse back.
    CHECK(ImageName::parse(bundle_name, "t").str() == name);
  }
}
