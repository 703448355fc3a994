#include "formats/image_reference.hpp"

#include "../error_matcher.hpp"
#include "common/registry_client.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;

// The cases of distribution/reference's own tests (reference_test.go,
// normalize_test.go, regexp_test.go), with the outcome docker's
// ParseNormalizedNamed gives each input: that is the function docker,
// containerd and the kubelet read an image field with, and the one
// ImageReference follows. Tests that call the unnormalised Parse or WithName
// are ported with the normalised outcome ("test.com:tag" is
// docker.io/library/test.com:tag, not a name "test.com"). Where airlock
// differs on purpose (docs/SPEC.md section 6.1), the case asserts airlock's
// behaviour and says so.

namespace {

const std::string k_hex = "4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";
const std::string k_f64(64, 'f');
const std::string k_be = "be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912";
const std::string k_dbcc = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string k_1a3f = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
const std::string k_86e0 = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
const std::string k_e669 = "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
const std::string k_da30 = "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821";
const std::string k_1234 = "1234567890098765432112345667890098765432112345667890098765432112";
const std::string k_short = "1234567890098765432112345667890098765";  // 37 digits: too short for sha256
const std::string k_song = "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev";

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Valid {
  std::string text;
  std::string registry;
  std::string repository;
  std::optional<std::string> tag;  // "latest" when the text has neither tag nor digest
  std::optional<std::string> digest_hex;
};

void check_valid(const std::vector<Valid>& cases) {
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const auto ref = ImageReference::try_parse(c.text);
    REQUIRE(ref);
    CHECK(ref->registry == c.registry);
    CHECK(ref->repository == c.repository);
    CHECK(ref->tag == c.tag);
    CHECK(ref->digest.has_value() == c.digest_hex.has_value());
    if (ref->digest && c.digest_hex) CHECK(ref->digest->hex() == *c.digest_hex);
    // str() is canonical: it parses back to the same reference.
    const auto again = ImageReference::try_parse(ref->str());
    REQUIRE(again);
    CHECK(again->str() == ref->str());
    CHECK(again->registry == ref->registry);
    CHECK(again->repository == ref->repository);
    CHECK_NOTHROW((void)ImageReference::parse(c.text, "test"));
  }
}

void check_refused(const std::vector<std::string>& cases) {
  for (const auto& text : cases) {
    CAPTURE(text);
    CHECK_FALSE(ImageReference::try_parse(text));
    CHECK_THROWS_AS((void)ImageReference::parse(text, "test"), UsageError);
  }
}

}  // namespace

TEST_CASE("ImageReference normalises as docker does", "[image_reference]") {
  check_valid({
      {"nginx", "docker.io", "library/nginx", "latest", {}},
      {"nginx:1.25", "docker.io", "library/nginx", "1.25", {}},
      {"bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", {}},
      {"docker.io/nginx", "docker.io", "library/nginx", "latest", {}},
      {"index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", {}},
      {"quay.io/argoproj/argo-rollouts:v1.7.2", "quay.io", "argoproj/argo-rollouts", "v1.7.2", {}},
      {"localhost/app", "localhost", "app", "latest", {}},
      {"localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", {}},
      {"myhost:5000/app", "myhost:5000", "app", "latest", {}},
      {"library/app", "docker.io", "library/app", "latest", {}},
      {"ghcr.io/a/b/c/d:1_x.y-z", "ghcr.io", "a/b/c/d", "1_x.y-z", {}},
      // Pinned by digest only: no implicit ":latest". Tag and digest: both kept.
      {"registry.example.com:5000/platform/agent@sha256:" + k_hex,
       "registry.example.com:5000",
       "platform/agent",
       {},
       k_hex},
      {"nginx:1.25@sha256:" + k_hex, "docker.io", "library/nginx", "1.25", k_hex},
      // IPv6 registries, as a site may run one.
      {"[::1]:5000/team/app:1", "[::1]:5000", "team/app", "1", {}},
      {"[fd00:1:2::3]/team/app@sha256:" + k_hex, "[fd00:1:2::3]", "team/app", {}, k_hex},
      // Any number of port digits, as the grammar says; the registry client
      // refuses a port it cannot connect to.
      {"192.168.1.1:750050/repo", "192.168.1.1:750050", "repo", "latest", {}},
  });
  const auto ref = ImageReference::parse("[::1]:5000/team/app:1", "t");
  CHECK(ref.str() == "[::1]:5000/team/app:1");
  CHECK(ref.bundle_name() == "team/app:1");
  CHECK(ImageReference::parse("nginx", "t").str() == "docker.io/library/nginx:latest");
  CHECK(ImageReference::parse("nginx:1.25@sha256:" + k_hex, "t").str() ==
        "docker.io/library/nginx:1.25@sha256:" + k_hex);
}

TEST_CASE("ImageReference: reference_test.go, normalised", "[image_reference]") {
  // TestReferenceParse.
  check_valid({
      {"test_com", "docker.io", "library/test_com", "latest", {}},
      {"test.com:tag", "docker.io", "library/test.com", "tag", {}},
      {"test.com:5000", "docker.io", "library/test.com", "5000", {}},
      {"test.com/repo:tag", "test.com", "repo", "tag", {}},
      {"test:5000/repo", "test:5000", "repo", "latest", {}},
      {"test:5000/repo:tag", "test:5000", "repo", "tag", {}},
      {"test:5000/repo@sha256:" + k_f64, "test:5000", "repo", {}, k_f64},
      {"test:5000/repo:tag@sha256:" + k_f64, "test:5000", "repo", "tag", k_f64},
      {"lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", {}},
      // The test's commented-out FIXME: docker reads an uppercase first
      // component as a host, so this is valid.
      {"Uppercase/lowercase:tag", "Uppercase", "lowercase", "tag", {}},
      {repeat("a/", 127) + "a:tag-puts-this-over-max",
       "docker.io",
       repeat("a/", 127) + "a",
       "tag-puts-this-over-max",
       {}},
      {"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", {}},
      {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", {}},
      {"b.gcr.io/test.example.com/my-app:test.example.com",
       "b.gcr.io",
       "test.example.com/my-app",
       "test.example.com",
       {}},
      {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", {}},
      {"foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", {}},
      {"foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", {}},
      {"192.168.1.1", "docker.io", "library/192.168.1.1", "latest", {}},
      {"192.168.1.1:tag", "docker.io", "library/192.168.1.1", "tag", {}},
      {"192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", {}},
      {"192.168.1.1/repo", "192.168.1.1", "repo", "latest", {}},
      {"192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", "latest", {}},
      {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", {}},
      {"[2001:db8::1]/repo", "[2001:db8::1]", "repo", "latest", {}},
      {"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", {}},
      {"[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", {}},
      {"[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", {}},
      {"[2001:db8::1]:5000/repo@sha256:" + k_f64, "[2001:db8::1]:5000", "repo", {}, k_f64},
      {"[2001:db8::1]:5000/repo:tag@sha256:" + k_f64, "[2001:db8::1]:5000", "repo", "tag", k_f64},
      {"[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "latest", {}},
      {"[::1]:5000/repo", "[::1]:5000", "repo", "latest", {}},
  });
  check_refused({
      "",
      ":justtag",
      "@sha256:" + k_f64,
      "repo@sha256:" + std::string(34, 'f'),
      "validname@invaliddigest:" + k_f64,
      "Uppercase:tag",
      "test:5000/Uppercase/lowercase:tag",
      repeat("a/", 128) + "a:tag",
      "aa/asdf$$^/aa",
      "[2001:db8::1]",
      "[2001:db8::1]:5000",
      "[2001:db8::1]:tag",
      "[fe80::1%eth0]:5000/repo",
      "[fe80::1%@invalidzone]:5000/repo",
  });
  // TestDomainAndPath, TestSerialization, TestWithTag, TestParseNamed (the
  // names ParseNamed calls not canonical are valid once normalised).
  check_valid({
      {"test.com/foo", "test.com", "foo", "latest", {}},
      {"test_com/foo", "docker.io", "test_com/foo", "latest", {}},
      {"test:8080/foo", "test:8080", "foo", "latest", {}},
      {"test.com:8080/foo", "test.com:8080", "foo", "latest", {}},
      {"test-com:8080/foo", "test-com:8080", "foo", "latest", {}},
      {"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "latest", {}},
      {"example.com:8000/named", "example.com:8000", "named", "latest", {}},
      {"example.com:8000/named:tagged", "example.com:8000", "named", "tagged", {}},
      {"other.com/named@sha256:" + k_1234, "other.com", "named", {}, k_1234},
      {"test.com/foo:tag", "test.com", "foo", "tag", {}},
      {"foo:tag2", "docker.io", "library/foo", "tag2", {}},
      {"test.com:8000/foo:tag4", "test.com:8000", "foo", "tag4", {}},
      {"test.com:8000/foo:TAG5", "test.com:8000", "foo", "TAG5", {}},
      {"test.com", "docker.io", "library/test.com", "latest", {}},
      {"foo", "docker.io", "library/foo", "latest", {}},
      {"library/foo", "docker.io", "library/foo", "latest", {}},
      {"docker.io/library/foo", "docker.io", "library/foo", "latest", {}},
      {"docker.io/foo", "docker.io", "library/foo", "latest", {}},
  });
  // TestWithTag and TestWithDigest build these with a 37-digit sha256, which
  // WithDigest takes unchecked; parsed, docker refuses the length too.
  check_refused({
      "test.com:8000/foo:TAG5@sha256:" + k_short,
      "test.com/foo@sha256:" + k_short,
      "foo@sha256:" + k_short,
      "test.com:8000/foo@sha256:" + k_short,
      "test.com:8000/foo:latest@sha256:" + k_short,
  });
}

TEST_CASE("ImageReference: normalize_test.go", "[image_reference]") {
  // TestValidateReferenceName.
  check_valid({
      {"docker/docker", "docker.io", "docker/docker", "latest", {}},
      {"library/debian", "docker.io", "library/debian", "latest", {}},
      {"debian", "docker.io", "library/debian", "latest", {}},
      {"docker.io/docker/docker", "docker.io", "docker/docker", "latest", {}},
      {"docker.io/library/debian", "docker.io", "library/debian", "latest", {}},
      {"docker.io/debian", "docker.io", "library/debian", "latest", {}},
      {"index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", {}},
      {"index.docker.io/library/debian", "docker.io", "library/debian", "latest", {}},
      {"index.docker.io/debian", "docker.io", "library/debian", "latest", {}},
      {"127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "latest", {}},
      {"127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", {}},
      {"127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "latest", {}},
      {"192.168.0.1", "docker.io", "library/192.168.0.1", "latest", {}},
      {"192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", {}},
      {"192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", {}},
      {"192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", "latest", {}},
      {k_song, "docker.io", "library/" + k_song, "latest", {}},
      {"[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", "latest", {}},
      {"[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", "latest", {}},
      {"[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", "latest", {}},
      {"docker.io/" + k_1a3f, "docker.io", "library/" + k_1a3f, "latest", {}},
      {"Docker/docker", "Docker", "docker", "latest", {}},
      {"DOCKER/docker", "DOCKER", "docker", "latest", {}},
  });
  check_refused({
      "https://github.com/docker/docker",
      "docker/Docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker.io/docker/Docker",
      "docker.io/docker///docker",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      k_1a3f,
  });
  // TestValidateRemoteName.
  check_valid({
      {"docker-rules/docker", "docker.io", "docker-rules/docker", "latest", {}},
      {"docker---rules/docker", "docker.io", "docker---rules/docker", "latest", {}},
      {"doc/docker", "docker.io", "doc/docker", "latest", {}},
      {"d/docker", "docker.io", "d/docker", "latest", {}},
      {"jess/t", "docker.io", "jess/t", "latest", {}},
      {"dock__er/docker", "docker.io", "dock__er/docker", "latest", {}},
  });
  const std::string long_namespace = "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255";
  check_refused({
      "docker/Docker",
      "docker///docker",
      k_1a3f,
      "-docker/docker",
      "docker-/docker",
      "-docker-/docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "docker/",
      long_namespace + "_" + long_namespace + "_" + long_namespace + "_" + long_namespace + "/docker",
  });
  // TestParseRepositoryInfo: familiar, full and ambiguous spellings.
  check_valid({
      {"fooo/bar", "docker.io", "fooo/bar", "latest", {}},
      {"docker.io/fooo/bar", "docker.io", "fooo/bar", "latest", {}},
      {"index.docker.io/fooo/bar", "docker.io", "fooo/bar", "latest", {}},
      {"ubuntu", "docker.io", "library/ubuntu", "latest", {}},
      {"docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", {}},
      {"library/ubuntu", "docker.io", "library/ubuntu", "latest", {}},
      {"nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", "latest", {}},
      {"docker.io/nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", "latest", {}},
      {"other/library", "docker.io", "other/library", "latest", {}},
      {"docker.io/other/library", "docker.io", "other/library", "latest", {}},
      {"127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", "latest", {}},
      {"127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", "latest", {}},
      {"example.com/private/moonbase", "example.com", "private/moonbase", "latest", {}},
      {"example.com/privatebase", "example.com", "privatebase", "latest", {}},
      {"example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "latest", {}},
      {"example.com:8000/privatebasee", "example.com:8000", "privatebasee", "latest", {}},
      {"ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", {}},
      {"docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", {}},
      {"index.docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", {}},
      {"docker.io/library/foo", "docker.io", "library/foo", "latest", {}},
      {"library/foo/bar", "docker.io", "library/foo/bar", "latest", {}},
      {"docker.io/library/foo/bar", "docker.io", "library/foo/bar", "latest", {}},
      {"store/foo/bar", "docker.io", "store/foo/bar", "latest", {}},
      {"docker.io/store/foo/bar", "docker.io", "store/foo/bar", "latest", {}},
      {"Foo/bar", "Foo", "bar", "latest", {}},
      {"FOO/bar", "FOO", "bar", "latest", {}},
  });
  // TestParseReferenceWithTagAndDigest, TestInvalidReferenceComponents.
  check_valid({{"busybox:latest@sha256:" + k_86e0, "docker.io", "library/busybox", "latest", k_86e0}});
  check_refused({"-foo", "busybox@foo"});
  // TestParseAnyReference, as ParseNormalizedNamed reads each: a bare
  // identifier is refused (ParseAnyReference alone takes it as a digest),
  // and "sha256:<hex>" is the image library/sha256 with a 64-character tag.
  check_valid({
      {"redis", "docker.io", "library/redis", "latest", {}},
      {"redis:latest", "docker.io", "library/redis", "latest", {}},
      {"docker.io/library/redis:latest", "docker.io", "library/redis", "latest", {}},
      {"redis@sha256:" + k_dbcc, "docker.io", "library/redis", {}, k_dbcc},
      {"docker.io/library/redis@sha256:" + k_dbcc, "docker.io", "library/redis", {}, k_dbcc},
      {"dmcgowan/myapp", "docker.io", "dmcgowan/myapp", "latest", {}},
      {"dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", "latest", {}},
      {"docker.io/mcgowan/myapp:latest", "docker.io", "mcgowan/myapp", "latest", {}},
      {"dmcgowan/myapp@sha256:" + k_dbcc, "docker.io", "dmcgowan/myapp", {}, k_dbcc},
      {"docker.io/dmcgowan/myapp@sha256:" + k_dbcc, "docker.io", "dmcgowan/myapp", {}, k_dbcc},
      {"sha256:" + k_dbcc, "docker.io", "library/sha256", k_dbcc, {}},
      {k_dbcc.substr(0, 63), "docker.io", "library/" + k_dbcc.substr(0, 63), "latest", {}},
      {"dbcc1", "docker.io", "library/dbcc1", "latest", {}},
  });
  check_refused({k_dbcc});
  // TestNormalizedSplitHostname.
  check_valid({
      {"docker/migrator", "docker.io", "docker/migrator", "latest", {}},
      {"xn--n3h.com/foo", "xn--n3h.com", "foo", "latest", {}},
  });
  // TestParseDockerRef's inputs. ParseDockerRef then drops the tag of a
  // reference with both; ParseNormalizedNamed, and airlock, keep it (the
  // digest is what is fetched, the tag names the image in the bundle).
  check_valid({
      {"busybox", "docker.io", "library/busybox", "latest", {}},
      {"busybox:latest", "docker.io", "library/busybox", "latest", {}},
      {"busybox@sha256:" + k_e669, "docker.io", "library/busybox", {}, k_e669},
      {"library/busybox", "docker.io", "library/busybox", "latest", {}},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", {}},
      {"docker.io/library/busybox", "docker.io", "library/busybox", "latest", {}},
      {"docker.io/busybox:latest", "docker.io", "library/busybox", "latest", {}},
      {"library/busybox:latest", "docker.io", "library/busybox", "latest", {}},
      {"docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", {}},
      {"gcr.io/library/busybox", "gcr.io", "library/busybox", "latest", {}},
      {"gcr.io/library/busybox:latest@sha256:" + k_e669, "gcr.io", "library/busybox", "latest", k_e669},
  });
}

TEST_CASE("ImageReference: regexp_test.go, as references", "[image_reference]") {
  // TestFullNameRegexp: names without a tag.
  check_valid({
      {"short", "docker.io", "library/short", "latest", {}},
      {"simple/name", "docker.io", "simple/name", "latest", {}},
      {"library/ubuntu", "docker.io", "library/ubuntu", "latest", {}},
      {"docker/stevvooe/app", "docker.io", "docker/stevvooe/app", "latest", {}},
      {"aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
       "docker.io",
       "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
       "latest",
       {}},
      {"aa/aa/bb/bb/bb", "docker.io", "aa/aa/bb/bb/bb", "latest", {}},
      {"a/a/a/a", "docker.io", "a/a/a/a", "latest", {}},
      {"a", "docker.io", "library/a", "latest", {}},
      {"a/aa", "docker.io", "a/aa", "latest", {}},
      {"a/aa/a", "docker.io", "a/aa/a", "latest", {}},
      {"foo.com", "docker.io", "library/foo.com", "latest", {}},
      {"foo.com:8080/bar", "foo.com:8080", "bar", "latest", {}},
      {"foo.com/bar", "foo.com", "bar", "latest", {}},
      {"foo.com/bar/baz", "foo.com", "bar/baz", "latest", {}},
      {"localhost:8080/bar", "localhost:8080", "bar", "latest", {}},
      {"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", {}},
      {"blog.foo.com/bar/baz", "blog.foo.com", "bar/baz", "latest", {}},
      {"aa-a/a", "docker.io", "aa-a/a", "latest", {}},
      {"foo_bar", "docker.io", "library/foo_bar", "latest", {}},
      {"foo_bar.com", "docker.io", "library/foo_bar.com", "latest", {}},
      {"foo.com/foo_bar", "foo.com", "foo_bar", "latest", {}},
      {"b.gcr.io/test.example.com/my-app", "b.gcr.io", "test.example.com/my-app", "latest", {}},
      {"xn--n3h.com/myimage", "xn--n3h.com", "myimage", "latest", {}},
      {"xn--7o8h.com/myimage", "xn--7o8h.com", "myimage", "latest", {}},
      {"example.com/xn--7o8h.com/myimage", "example.com", "xn--7o8h.com/myimage", "latest", {}},
      {"example.com/some_separator__underscore/myimage",
       "example.com",
       "some_separator__underscore/myimage",
       "latest",
       {}},
      {"do__cker/docker", "docker.io", "do__cker/docker", "latest", {}},
      {"registry.io/foo/project--id.module--name.ver---sion--name",
       "registry.io",
       "foo/project--id.module--name.ver---sion--name",
       "latest",
       {}},
      {"Asdf.com/foo/bar", "Asdf.com", "foo/bar", "latest", {}},
  });
  check_refused({
      "",
      "a/a/a/a/",
      "a//a/a",
      "foo.com/",
      "foo.com:http/bar",
      "a^a",
      "aa/asdf$$^/aa",
      "asdf$$^/aa",
      // The name regexp matches this with domain "a"; normalised, it is a
      // 257-character path on docker.io, over the limit.
      repeat("a/", 128) + "a",
      "a-/a/a/a",
      "foo.com/a-/a/a",
      "-foo/bar",
      "foo/bar-",
      "foo-/bar",
      "foo/-bar",
      "_foo/bar",
      "foo_bar.com:8080/app",
      "____/____",
      "_docker/_docker",
      "docker_/docker_",
      "example.com/__underscore/myimage",
      "example.com/..dots/myimage",
      "example.com/.dots/myimage",
      "example.com/nodouble..dots/myimage",
      "docker./docker",
      ".docker/docker",
      "docker-/docker",
      "-docker/docker",
      "do..cker/docker",
      "do__cker:8080/docker",
      "Foo/FarB",
  });
  // TestReferenceRegexp.
  check_valid({
      {"registry.com:8080/myapp:tag", "registry.com:8080", "myapp", "tag", {}},
      {"registry.com:8080/myapp@sha256:" + k_be, "registry.com:8080", "myapp", {}, k_be},
      {"registry.com:8080/myapp:tag2@sha256:" + k_be, "registry.com:8080", "myapp", "tag2", k_be},
      // localhost without a "/" is a name, and 8080 its tag.
      {"localhost:8080@sha256:" + k_be, "docker.io", "library/localhost", "8080", k_be},
      {"localhost:8080/name@sha256:" + k_be, "localhost:8080", "name", {}, k_be},
      {"localhost@sha256:" + k_be, "docker.io", "library/localhost", {}, k_be},
  });
  check_refused({
      "registry.com:8080/myapp@sha256:badbadbadbad",
      "registry.com:8080/myapp:invalid~tag",
      "bad_hostname.com:8080/myapp:tag",
      "localhost:http/name@sha256:" + k_be,
      "registry.com:8080/myapp@bad",
      "registry.com:8080/myapp@2bad",
  });
  // TestIdentifierRegexp, as bare names: only a 64-digit lowercase hex string
  // is an identifier; the uppercase one is refused for its uppercase.
  check_valid({
      {k_da30.substr(0, 60), "docker.io", "library/" + k_da30.substr(0, 60), "latest", {}},
      {"sha256:" + k_da30, "docker.io", "library/sha256", k_da30, {}},
      {k_da30 + "8482", "docker.io", "library/" + k_da30 + "8482", "latest", {}},
  });
  check_refused({k_da30, "7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C"});
}

TEST_CASE("is_valid_domain: regexp_test.go TestDomainRegexp", "[image_reference]") {
  const std::pair<std::string, bool> cases[] = {
      {"test.com", true},
      {"test.com:10304", true},
      {"test.com:http", false},
      {"localhost", true},
      {"localhost:8080", true},
      {"a", true},
      {"a.b", true},
      {"ab.cd.com", true},
      {"a-b.com", true},
      {"-ab.com", false},
      {"ab-.com", false},
      {"ab.c-om", true},
      {"ab.-com", false},
      {"ab.com-", false},
      {"0101.com", true},
      {"001a.com", true},
      {"b.gbc.io:443", true},
      {"b.gbc.io", true},
      {"xn--n3h.com", true},
      {"Asdf.com", true},
      {"192.168.1.1:75050", true},
      {"192.168.1.1:750050", true},
      {"[fd00:1:2::3]:75050", true},
      {"[fd00:1:2::3]75050", false},
      {"[fd00:1:2::3]::75050", false},
      {"[fd00:1:2::3%eth0]:75050", false},
      {"[fd00123123123]:75050", true},
      {"[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", true},
      {"[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", true},
      {"fd00:1:2::3:75050", false},
      // And a few of our own: empty labels, an empty port or brackets.
      {"", false},
      {"a..b", false},
      {".a", false},
      {"a.", false},
      {"a:", false},
      {"[]", false},
      {"[::1", false},
      {"a_b.com", false},
  };
  for (const auto& [domain, valid] : cases) {
    CAPTURE(domain);
    CHECK(is_valid_domain(domain) == valid);
    // As the first component of a reference, a domain that docker reads as
    // a host is the registry exactly when the grammar allows it.
    if (domain.find_first_of(".:") != std::string::npos) {
      const auto ref = ImageReference::try_parse(domain + "/repo");
      CHECK(ref.has_value() == valid);
      if (ref) CHECK(ref->registry == domain);
    }
  }
}

TEST_CASE("is_registry_host: what docker reads as a registry in first position", "[image_reference]") {
  for (const char* host : {"localhost", "localhost:5000", "reg.example.com", "registry:5000", "[::1]:5000", "[fd00::1]",
                           "Registry", "10.0.0.1"}) {
    CAPTURE(host);
    CHECK(is_registry_host(host));
  }
  // "registry/x" is docker.io/registry/x: a one-label lowercase name is a
  // Docker Hub namespace, not a host.
  for (const char* host : {"registry", "harbor", "", "reg.example.com/path", "my_host.io", "a..b", "host:", "[::1",
                           "::1:5000", "-a.com"}) {
    CAPTURE(host);
    CHECK_FALSE(is_registry_host(host));
  }
}

// Where airlock differs from docker on purpose (docs/SPEC.md section 6.1).
TEST_CASE("ImageReference: deliberate differences from docker", "[image_reference]") {
  // Digests other than sha256 are refused: bundles address content by
  // sha256 only. Docker accepts this one (reference_test.go).
  const std::string sha512 = "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + std::string(128, 'f');
  CHECK_FALSE(ImageReference::try_parse(sha512));
  REQUIRE_THROWS_MATCHES(ImageReference::parse(sha512, "t"), UsageError,
                         FailsWith(ExitCode::usage, {"not a sha256 digest", "no other algorithm"}));
  // A first component that docker takes for a host (it has a ".") but that
  // is no host, only a path component: docker's Parse then gives the
  // reference no domain at all, which no client can pull. Refused.
  for (const char* text : {"foo_bar.com/app", "my_host.io/app", "a.b_c/x:1"}) {
    CAPTURE(text);
    REQUIRE_THROWS_MATCHES(ImageReference::parse(text, "t"), UsageError,
                           FailsWith(ExitCode::usage, {"not a valid registry host"}));
  }
  // registry-1.docker.io is Docker Hub, normalised like index.docker.io
  // (docker keeps it as a separate host, without "library/").
  check_valid({
      {"registry-1.docker.io/busybox:1.36", "docker.io", "library/busybox", "1.36", {}},
      {"registry-1.docker.io/grafana/grafana:10", "docker.io", "grafana/grafana", "10", {}},
  });
  // At most k_max_reference characters, checked before anything else is read.
  // Docker has no such limit; this one is valid for it (a 511-character host).
  const std::string long_host = repeat(std::string(63, 'a') + ".", 7) + std::string(63, 'b');
  REQUIRE(long_host.size() == 511);
  CHECK(is_valid_domain(long_host));
  REQUIRE_THROWS_MATCHES(ImageReference::parse(long_host + "/x", "t"), UsageError,
                         FailsWith(ExitCode::usage, {"longer than 512 characters"}));
  CHECK(ImageReference::try_parse(std::string(100, 'h') + ".io/" + std::string(200, 'a') + ":" + std::string(128, 't') +
                                  "@sha256:" + k_hex));
}

TEST_CASE("ImageReference rejects what is not a reference, naming where and why", "[image_reference]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty reference"},
      {"Nginx", "must be lowercase"},
      {"quay.io/Org/app:1", "must be lowercase"},
      {"nginx:", "not a valid tag"},
      {"nginx:-rc1", "not a valid tag"},
      {"nginx:" + std::string(129, 't'), "not a valid tag"},
      {"nginx@sha256:abc", "not a sha256 digest"},
      {"nginx@sha256:" + std::string(64, 'F'), "not a sha256 digest"},
      {"nginx@sha512:" + k_hex, "not a sha256 digest"},
      {"nginx@", "not a sha256 digest"},
      {"quay.io/", "not a valid repository path"},
      {"my_host.io/app", "not a valid registry host"},
      {"-bad.io/app", "not a valid registry host"},
      {"bad-.io/app", "not a valid registry host"},
      {"a..io/app", "not a valid registry host"},
      {"quay.io:/app", "not a valid registry host"},
      {"[::1]x/app", "not a valid registry host"},
      {"a//b", "not a valid repository path"},
      {"app/", "not a valid repository path"},
      {"/app", "not a valid repository path"},
      {"nginx latest", "not a valid repository path"},
      {k_hex, "image ID"},
      {std::string(250, 'a'), "longer than 255"},
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
  CHECK(ImageReference::parse("[::1]:5000/team/app:1", "t").bundle_name() == "team/app:1");
  // Tag and digest: the tag names it.
  CHECK(ImageReference::parse("nginx:1.25@sha256:" + k_hex, "t").bundle_name() == "library/nginx:1.25");
  // Digest only: a tag made from the digest.
  CHECK(ImageReference::parse("ghcr.io/a/b@sha256:" + k_hex, "t").bundle_name() == "a/b:sha256-" + k_hex);
}

// docker's grammar is host[:digits]: a non-numeric or double port is refused.
TEST_CASE("ImageReference rejects a registry port that is not a number", "[image_reference]") {
  for (const char* text :
       {"nginx:a/b", "quay.io:abc/org/app:1", "localhost:5000:1/app", "[::1]:/app", "[::1]:5x/app"}) {
    CAPTURE(text);
    CHECK_FALSE(ImageReference::try_parse(text));
  }
}

TEST_CASE("ImageReference::try_parse stays linear on long hostile input", "[image_reference]") {
  // Inputs that make a backtracking regex explode: long runs of separators
  // and near-misses, at and beyond the length limit.
  for (const std::string& text : {repeat("a-", 255) + "!", repeat("a.", 200) + "-/x", "a/" + repeat("a__", 160) + "_",
                                  repeat("[", 512), repeat("a", 100000), std::string(511, ':')}) {
    CHECK_FALSE(ImageReference::try_parse(text));
  }
}

// The registry origin a parsed reference is contacted at (common/registry_client).
TEST_CASE("registry_api_host: IPv6 registries and ports it can connect to", "[image_reference][registry_client]") {
  CHECK(registry_api_host(ImageReference::parse("[::1]:5000/team/app:1", "t").registry) == "[::1]:5000");
  CHECK(registry_api_host(ImageReference::parse("[::1]/team/app:1", "t").registry) == "[::1]");
  CHECK(registry_api_host(ImageReference::parse("nginx", "t").registry) == "registry-1.docker.io");
  CHECK(registry_api_host("localhost:65535") == "localhost:65535");
  CHECK(registry_api_host("reg.example.com:05000") == "reg.example.com:05000");
  CHECK(registry_api_host("reg.example.com") == "reg.example.com");
  // The grammar takes any digits; the resolver would wrap 70000 to 4464.
  for (const char* host : {"localhost:70000", "reg.example.com:0", "reg.example.com:000", "[::1]:750050",
                           "reg.example.com:", "[::1]:x", "a:b:c"}) {
    CAPTURE(host);
    REQUIRE_THROWS_MATCHES(registry_api_host(host), UsageError,
                           FailsWith(ExitCode::usage, {host, "is not a TCP port (1 to 65535)"}));
  }
  // The grammar's IPv6 is any hex digits and colons in brackets.
  for (const char* host : {"[1::2::3]:5000", "[fd00123123123]", "[:::]", "[::1"}) {
    CAPTURE(host);
    REQUIRE_THROWS_MATCHES(registry_api_host(host), UsageError,
                           FailsWith(ExitCode::usage, {host, "is not an IPv6 address"}));
  }
  // cpp-httplib 0.11 cannot reach these yet (docs/SPEC.md 6.1); refused
  // rather than looked up as host names.
  REQUIRE_THROWS_MATCHES(registry_api_host("[fd00::1]:5000"), UsageError,
                         FailsWith(ExitCode::usage, {"[fd00::1]:5000", "hex letters", "host name"}));
}
