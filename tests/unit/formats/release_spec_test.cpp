#include "formats/release_spec.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

// Writes `yaml` as spec.yaml in a fresh temp dir and loads it.
class Spec {
public:
  explicit Spec(const std::string& yaml) : m_dir("airlock-unit"), m_path(m_dir.path() / "spec.yaml") {
    std::ofstream(m_path) << yaml;
  }
  [[nodiscard]] ReleaseSpec load() const { return load_release_spec(m_path); }
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  [[nodiscard]] std::string at(int line) const { return m_path.string() + ":" + std::to_string(line); }

private:
  TempDir m_dir;
  std::filesystem::path m_path;
};

const std::string k_head = "name: demo\nversion: 1.2.0\nsequence: 7\n";

// Loading `yaml` fails with a usage error that mentions every part; "@N"
// stands for spec.yaml:N.
void rejects(const std::string& yaml, std::vector<std::string> parts) {
  CAPTURE(yaml);
  Spec spec(yaml);
  for (auto& p : parts)
    if (p.size() > 1 && p[0] == '@') p = spec.at(std::stoi(p.substr(1)));
  REQUIRE_THROWS_MATCHES(spec.load(), UsageError, test::ErrorMatcher(ExitCode::usage, parts));
}

}  // namespace

TEST_CASE("A full release spec loads with every field", "[release_spec]") {
  Spec spec(R"(# demo release
name: demo
version: 1.2.0+build.5
sequence: 42
expires: 45d
manifests:
  - k8s/
  - {git: https://git.example.com/vendor/deploy.git, ref: v1.2.0, path: manifests}
  - {git: https://git.example.com/other.git, ref: 0123abcd}
images:
  - quay.io/argoproj/argo-rollouts:v1.7.2
  - {source: "oci:layouts/app:1.0", name: "org/app:1.0"}
  - source: docker://nginx:1.25
mirrors:
  quay.io: mirror.corp:5000/quay.io
  docker.io: mirror.corp
platforms: [linux/amd64, linux/arm64/v8]
)");
  const auto s = spec.load();
  CHECK(s.path == spec.path());
  CHECK(s.dir == spec.path().parent_path());
  CHECK(s.name == "demo");
  CHECK(s.version == "1.2.0+build.5");
  CHECK(s.sequence == 42);
  CHECK(s.expires.seconds == std::optional<std::int64_t>(45 * 86400));
  CHECK_FALSE(s.expires.at);

  REQUIRE(s.manifests.size() == 3);
  CHECK(s.manifests[0].path == "k8s/");
  CHECK_FALSE(s.manifests[0].git);
  CHECK(s.manifests[0].where == spec.at(7));
  CHECK(s.manifests[1].git == std::optional<std::string>("https://git.example.com/vendor/deploy.git"));
  CHECK(s.manifests[1].ref == "v1.2.0");
  CHECK(s.manifests[1].path == "manifests");
  CHECK(s.manifests[2].ref == "0123abcd");
  CHECK(s.manifests[2].path.empty());  // the repository's root

  REQUIRE(s.images.size() == 3);
  CHECK(s.images[0].source == "quay.io/argoproj/argo-rollouts:v1.7.2");
  CHECK_FALSE(s.images[0].name);
  CHECK(s.images[0].where == spec.at(11));
  CHECK(s.images[1].source == "oci:layouts/app:1.0");
  CHECK(s.images[1].name == std::optional<std::string>("org/app:1.0"));
  CHECK(s.images[1].where == spec.at(12));
  CHECK(s.images[2].source == "docker://nginx:1.25");
  CHECK_FALSE(s.images[2].name);

  CHECK(s.mirrors ==
        std::map<std::string, std::string>{{"docker.io", "mirror.corp"}, {"quay.io", "mirror.corp:5000/quay.io"}});
  CHECK(s.platforms == std::vector<std::string>{"linux/amd64", "linux/arm64/v8"});
}

TEST_CASE("A minimal spec has empty optional parts", "[release_spec]") {
  const auto s = Spec(k_head).load();
  CHECK(s.sequence == 7);
  CHECK_FALSE(s.expires.at);
  CHECK_FALSE(s.expires.seconds);
  CHECK(s.manifests.empty());
  CHECK(s.images.empty());
  CHECK(s.mirrors.empty());
  CHECK(s.platforms.empty());
}

TEST_CASE("expires: an RFC 3339 time or a duration in days or hours", "[release_spec]") {
  const auto abs = Spec(k_head + "expires: 2030-01-01T00:00:00Z\n").load();
  CHECK(abs.expires.at == std::optional<std::int64_t>(1893456000));
  CHECK_FALSE(abs.expires.seconds);
  CHECK(Spec(k_head + "expires: 12h\n").load().expires.seconds == std::optional<std::int64_t>(12 * 3600));
  CHECK(Spec(k_head + "expires: 1d\n").load().expires.seconds == std::optional<std::int64_t>(86400));

  for (const char* bad : {"tomorrow", "45", "45m", "-1d", "1.5d", "2030-01-01", "2030-02-30T00:00:00Z"}) {
    rejects(k_head + "expires: " + bad + "\n", {"@4", "expires", "45d"});
  }
  rejects(k_head + "expires: 0d\n", {"@4", "expires must be in the future"});
  rejects(k_head + "expires: [1d]\n", {"@4", "\"expires\" must be a string"});
}

TEST_CASE("name, version and sequence are required and checked", "[release_spec]") {
  rejects("version: 1\nsequence: 1\n", {"spec.yaml", "\"name\" is required"});
  rejects("name: demo\nsequence: 1\n", {"\"version\" is required"});
  rejects("name: demo\nversion: 1\n", {"\"sequence\" is required"});

  for (const char* bad : {"0", "-1", "1.5", "abc", "07", "0x10", "1e3", "1234567890123456789", "\"\""}) {
    rejects(std::string("name: demo\nversion: 1\nsequence: ") + bad + "\n",
            {"@3", "sequence", "must be a positive integer"});
  }
  rejects("name: demo\nversion: 1\nsequence: [1]\n", {"@3", "\"sequence\" must be a string"});
  CHECK(Spec("name: demo\nversion: 1\nsequence: 123456789012345678\n").load().sequence == 123456789012345678ULL);

  for (const char* bad : {"Demo", "-demo", "a..b", "a/b", "a b", "\"\""}) {
    rejects(std::string("name: ") + bad + "\nversion: 1\nsequence: 1\n", {"@1", "release name", "[a-z0-9]"});
  }
  rejects("name: {a: b}\nversion: 1\nsequence: 1\n", {"@1", "\"name\" must be a string"});
  rejects("name: demo\nversion: 1 2\nsequence: 1\n", {"@2", "version \"1 2\""});
  rejects("name: demo\nversion: .1\nsequence: 1\n", {"@2", "version"});
}

TEST_CASE("Unknown keys and wrong shapes are errors naming spec:line", "[release_spec]") {
  rejects(k_head + "imagez: [nginx]\n", {"@4", "unknown key \"imagez\""});
  rejects("- a\n- b\n", {"spec.yaml", "must be a YAML mapping"});
  rejects("name: [unclosed\n", {"spec.yaml", "not valid YAML"});

  rejects(k_head + "images: nginx\n", {"@4", "images must be a list"});
  rejects(k_head + "images:\n  - [nginx]\n", {"@5", "an image is a reference or {source, name}"});
  rejects(k_head + "images:\n  - {name: org/app:1}\n", {"@5", "image has no source"});
  rejects(k_head + "images:\n  - {source: nginx, tag: x}\n", {"@5", "unknown image key \"tag\""});
  rejects(k_head + "images:\n  - {source: [nginx]}\n", {"@5", "\"source\" must be a string"});

  rejects(k_head + "manifests: k8s/\n", {"@4", "manifests must be a list"});
  rejects(k_head + "manifests:\n  - {git: https://x/y.git}\n", {"@5", "needs git: URL and ref:"});
  rejects(k_head + "manifests:\n  - {git: https://x/y.git, ref: v1, branch: b}\n",
          {"@5", "unknown manifests key \"branch\""});
  rejects(k_head + "manifests:\n  - [a, b]\n",
          {"@5", "a manifests entry is a path, {path, kustomize} or {git, ref, path, kustomize}"});
  rejects(k_head + "manifests:\n  - {kustomize: overlays/release}\n", {"@5", "without git: needs path:"});
  rejects(k_head + "manifests:\n  - {path: v, ref: v1}\n", {"@5", "needs git: URL and ref:"});
  for (const auto* bad : {"../up", "/abs", "a/../../b", "\"\""}) {
    rejects(k_head + "manifests:\n  - {path: v, kustomize: " + bad + "}\n",
            {"@5", "must be a directory inside the manifests entry"});
  }

  rejects(k_head + "mirrors: [quay.io]\n", {"@4", "mirrors maps a registry host"});
  rejects(k_head + "mirrors:\n  quay.io: https://mirror.corp\n",
          {"@5", "mirror \"https://mirror.corp\"", "host[:port][/path]"});
  rejects(k_head + "mirrors:\n  quay.io: mirror.corp:5000/Upper\n", {"@5", "host[:port][/path]"});

  rejects(k_head + "platforms: linux/amd64\n", {"@4", "platforms must be a list"});
  rejects(k_head + "platforms:\n  - linux/amd64\n  - linux\n", {"@6", "platform \"linux\" must be os/arch[/variant]"});
  rejects(k_head + "platforms: [Linux/AMD64]\n", {"@4", "os/arch"});
}

TEST_CASE("A missing spec file is a usage error naming it", "[release_spec]") {
  TempDir dir("airlock-unit");
  REQUIRE_THROWS_MATCHES(load_release_spec(dir.path() / "nope.yaml"), UsageError,
                         FailsWith(ExitCode::usage, {"nope.yaml"}));
}

// A key that is not a scalar (YAML "? [a]") is a usage error naming
// spec:line, not a yaml-cpp conversion error without a file name.
TEST_CASE("A non-scalar key is a usage error naming spec:line", "[release_spec]") {
  rejects("? [a]\n: b\n" + k_head, {"@1"});
  rejects(k_head + "images:\n  - {? [a] : b}\n", {"@5"});
}

TEST_CASE("values declare site placeholders, sorted by name", "[release_spec]") {
  const auto s =
      Spec(k_head + "values:\n  zone: {default: eu-1}\n  host: {description: \"Ingress host\"}\n  bare:\n").load();
  REQUIRE(s.values.size() == 3);
  CHECK(s.values[0].name == "bare");
  CHECK_FALSE(s.values[0].default_value);
  CHECK(s.values[1].name == "host");
  CHECK(s.values[1].description == "Ingress host");
  CHECK(s.values[2].name == "zone");
  CHECK(s.values[2].default_value == std::optional<std::string>("eu-1"));
  rejects(k_head + "values:\n  bad-name: {}\n", {"@5", "bad-name"});
  rejects(k_head + "values:\n  host: {secret: x}\n", {"@5", "unknown key \"secret\""});
  rejects(k_head + "values: [host]\n", {"@4", "values maps a NAME"});
}

TEST_CASE("a manifests item names its kustomize entry", "[release_spec]") {
  Spec spec(k_head + R"(manifests:
  - {path: vendor/metrics-server, kustomize: overlays/release/}
  - {git: https://git.example.com/v.git, ref: v1, path: deploy, kustomize: ./overlays/./prod}
  - {path: vendor/other, kustomize: .}
  - vendor/plain
)");
  const auto s = spec.load();
  REQUIRE(s.manifests.size() == 4);
  CHECK(s.manifests[0].path == "vendor/metrics-server");
  CHECK_FALSE(s.manifests[0].git);
  CHECK(s.manifests[0].kustomize == std::optional<std::string>("overlays/release"));
  CHECK(s.manifests[0].kustomize_where == spec.at(5));
  CHECK(s.manifests[1].git == std::optional<std::string>("https://git.example.com/v.git"));
  CHECK(s.manifests[1].kustomize == std::optional<std::string>("overlays/prod"));
  CHECK(s.manifests[2].kustomize == std::optional<std::string>(""));  // the directory itself
  CHECK_FALSE(s.manifests[3].kustomize);  // decided by the packer: a root kustomization, else none
}
