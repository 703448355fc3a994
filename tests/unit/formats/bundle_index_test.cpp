#include "formats/bundle_index.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
using nlohmann::json;

namespace {

const Digest k_manifest = Sha256::of("manifest");
const Digest k_layer = Sha256::of("layer");

BundleIndex sample() {
  BundleIndex idx;
  idx.name = "demo";
  idx.version = "1.2.0";
  idx.sequence = 7;
  idx.created = 1700000000;
  idx.expires = 1700000000 + 45 * 86400;
  idx.images.push_back({.name = "argoproj/argo-rollouts:v1.7.2",
                        .repository = "argoproj/argo-rollouts",
                        .tag = "v1.7.2",
                        .source = "quay.io/argoproj/argo-rollouts:v1.7.2",
                        .digest = k_manifest,
                        .media_type = "application/vnd.oci.image.manifest.v1+json",
                        .size = 8 + 5,
                        .platforms = {"linux/amd64", "linux/arm64"}});
  // Archive order, deliberately not sorted.
  idx.entries.push_back({"oci-layout", Sha256::of("layout"), 6});
  idx.entries.push_back({"manifests/app.yaml", Sha256::of("yaml"), 4});
  idx.entries.push_back({blob_entry_path(k_manifest), k_manifest, 8});
  idx.entries.push_back({blob_entry_path(k_layer), k_layer, 5});
  idx.manifest_sources.push_back(
      {"https://git.example.com/vendor/deploy.git", "v1.2.0", "0123456789abcdef0123456789abcdef01234567", "manifests"});
  return idx;
}

// The sample's JSON with one change applied, for the reject cases.
std::string mutated(const std::function<void(json&)>& change) {
  auto j = json::parse(sample().to_json());
  change(j);
  return j.dump();
}

}  // namespace

TEST_CASE("BundleIndex survives a JSON round trip", "[bundle_index]") {
  const auto original = sample();
  const auto text = original.to_json();
  const auto idx = BundleIndex::parse(text, "test");

  CHECK(idx.name == "demo");
  CHECK(idx.version == "1.2.0");
  CHECK(idx.sequence == 7);
  CHECK(idx.created == 1700000000);
  REQUIRE(idx.expires);
  CHECK(*idx.expires == 1700000000 + 45 * 86400);

  REQUIRE(idx.images.size() == 1);
  const auto& img = idx.images[0];
  CHECK(img.name == "argoproj/argo-rollouts:v1.7.2");
  CHECK(img.repository == "argoproj/argo-rollouts");
  CHECK(img.tag == "v1.7.2");
  CHECK(img.source == "quay.io/argoproj/argo-rollouts:v1.7.2");
  CHECK(img.digest == k_manifest);
  CHECK(img.media_type == "application/vnd.oci.image.manifest.v1+json");
  CHECK(img.size == 13);
  CHECK(img.platforms == std::vector<std::string>{"linux/amd64", "linux/arm64"});

  REQUIRE(idx.entries.size() == 4);
  for (std::size_t i = 0; i < idx.entries.size(); ++i) {
    CHECK(idx.entries[i].path == original.entries[i].path);  // archive order kept
    CHECK(idx.entries[i].sha256 == original.entries[i].sha256);
    CHECK(idx.entries[i].size == original.entries[i].size);
  }
  REQUIRE(idx.manifest_sources.size() == 1);
  CHECK(idx.manifest_sources[0].git == "https://git.example.com/vendor/deploy.git");
  CHECK(idx.manifest_sources[0].ref == "v1.2.0");
  CHECK(idx.manifest_sources[0].commit == "0123456789abcdef0123456789abcdef01234567");
  CHECK(idx.manifest_sources[0].path == "manifests");

  // Byte-identical when written again: the bundle digest depends on it.
  CHECK(idx.to_json() == text);
}

TEST_CASE("BundleIndex JSON is deterministic: sorted keys, fixed layout", "[bundle_index]") {
  const auto text = sample().to_json();
  CHECK(text == sample().to_json());
  CHECK(text.back() == '\n');
  CHECK(text.rfind("{\n  \"created\": \"2023-11-14T22:13:20Z\",\n", 0) == 0);
  CHECK(text.find("\"sha256\": \"" + Sha256::of("layout").hex() + "\"") != std::string::npos);  // bare hex
  CHECK(text.find("\"digest\": \"" + k_manifest.str() + "\"") != std::string::npos);            // sha256:hex

  // Top-level keys appear in sorted order.
  std::size_t last = 0;
  for (const char* key : {"\"created\"", "\"entries\"", "\"expires\"", "\"formatVersion\"", "\"images\"",
                          "\"manifestSources\"", "\"release\""}) {
    CAPTURE(key);
    const auto pos = text.find(key);
    REQUIRE(pos != std::string::npos);
    CHECK(pos >= last);
    last = pos;
  }
  // Optional parts are absent, not null.
  auto bare = sample();
  bare.expires.reset();
  bare.manifest_sources.clear();
  const auto bare_text = bare.to_json();
  CHECK(bare_text.find("expires") == std::string::npos);
  CHECK(bare_text.find("manifestSources") == std::string::npos);
  const auto reparsed = BundleIndex::parse(bare_text, "test");
  CHECK_FALSE(reparsed.expires);
  CHECK(reparsed.manifest_sources.empty());
}

TEST_CASE("BundleIndex finds entries and sums their sizes", "[bundle_index]") {
  const auto idx = sample();
  const auto* e = idx.find_entry("manifests/app.yaml");
  REQUIRE(e != nullptr);
  CHECK(e->size == 4);
  CHECK(e->sha256 == Sha256::of("yaml"));
  CHECK(idx.find_entry("manifests/other.yaml") == nullptr);
  CHECK(idx.find_entry("") == nullptr);
  CHECK(idx.total_entry_bytes() == 6 + 4 + 8 + 5);
  CHECK(blob_entry_path(k_layer) == "blobs/sha256/" + k_layer.hex());
}

TEST_CASE("BundleIndex::parse rejects malformed indexes naming the bundle", "[bundle_index]") {
  const auto rejects = [](const std::string& text, std::initializer_list<std::string> parts) {
    CAPTURE(text);
    std::vector<std::string> all{"bundle.tar.zst"};
    all.insert(all.end(), parts);
    REQUIRE_THROWS_MATCHES(BundleIndex::parse(text, "bundle.tar.zst"), VerificationError,
                           test::ErrorMatcher(ExitCode::verification, all));
  };
  rejects("{not json", {"not JSON"});
  rejects("[]", {"has no \"formatVersion\""});
  rejects(mutated([](json& j) { j["formatVersion"] = 4; }),
          {"format version 4 is not supported (this airlock reads 1 to 3)"});
  rejects(mutated([](json& j) { j["formatVersion"] = 0; }), {"format version 0 is not supported"});
  rejects(mutated([](json& j) { j["formatVersion"] = "1"; }), {"formatVersion has the wrong type"});
  rejects(mutated([](json& j) { j.erase("release"); }), {"has no \"release\""});
  rejects(mutated([](json& j) { j["release"].erase("name"); }), {"release has no \"name\""});
  rejects(mutated([](json& j) { j["release"]["sequence"] = "7"; }),
          {"release.sequence must be a non-negative integer"});
  rejects(mutated([](json& j) {
            auto& e = j["entries"];
            e.push_back(e[1]);  // manifests/app.yaml after the blobs
            e.erase(1);
          }),
          {"\"manifests/app.yaml\" after a blob"});
  rejects(mutated([](json& j) { j["created"] = "2023-11-14 22:13:20"; }), {"created", "YYYY-MM-DDTHH:MM:SSZ"});
  rejects(mutated([](json& j) { j["expires"] = "soon"; }), {"expires \"soon\""});
  rejects(mutated([](json& j) { j.erase("entries"); }), {"has no \"entries\""});
  rejects(mutated([](json& j) { j["entries"][0]["path"] = "../escape"; }), {"unsafe entry \"../escape\""});
  rejects(mutated([](json& j) { j["entries"][0]["path"] = "/etc/passwd"; }), {"unsafe entry", "absolute"});
  rejects(mutated([](json& j) { j["entries"][1]["path"] = j["entries"][0]["path"]; }), {"entry \"oci-layout\" twice"});
  // The envelope is not an index entry: it cannot sign itself.
  rejects(mutated([](json& j) { j["entries"][0]["path"] = "bundle.dsse.json"; }), {"bundle.dsse.json"});
  rejects(mutated([](json& j) { j["entries"][0]["sha256"] = "sha256:" + Sha256::of("x").hex(); }),
          {"entry oci-layout has a malformed digest"});
  // Unpacked, the bundle is an OCI layout: a blob's path is its digest.
  rejects(mutated([](json& j) { j["entries"][3]["path"] = blob_entry_path(k_manifest); }),
          {blob_entry_path(k_manifest), "a blob's path must be its digest"});
  rejects(mutated([](json& j) { j["entries"][3]["path"] = "blobs/sha256/layer"; }),
          {"\"blobs/sha256/layer\"", "a blob's path must be its digest"});
  rejects(mutated([](json& j) { j["entries"][0].erase("size"); }), {"entry oci-layout has no \"size\""});
  rejects(mutated([](json& j) { j["images"][0]["name"] = "other/name:v1.7.2"; }),
          {"image name \"other/name:v1.7.2\" is malformed"});
  rejects(mutated([](json& j) { j["images"][0]["repository"] = "Argo"; }), {"is malformed"});
  rejects(mutated([](json& j) { j["images"][0]["digest"] = k_manifest.hex(); }), {"malformed digest"});
  rejects(mutated([](json& j) { j["images"].push_back(j["images"][0]); }),
          {"image \"argoproj/argo-rollouts:v1.7.2\" appears twice"});
  rejects(mutated([](json& j) { j["images"][0]["digest"] = Sha256::of("absent").str(); }),
          {"names manifest " + Sha256::of("absent").str() + " that is not an entry"});
  rejects(mutated([](json& j) { j["images"][0]["platforms"] = "linux/amd64"; }), {"platforms has the wrong type"});
  rejects(mutated([](json& j) { j["manifestSources"][0].erase("commit"); }), {"has no \"commit\""});
}

// nlohmann's get<uint64_t>() converts a negative integer instead of
// refusing it: "sequence": -1 would parse as 2^64-1, a sequence no later
// bundle could exceed (the rollback check).
TEST_CASE("BundleIndex::parse rejects negative numbers", "[bundle_index]") {
  CHECK_THROWS_AS(BundleIndex::parse(mutated([](json& j) { j["release"]["sequence"] = -1; }), "b"), VerificationError);
  CHECK_THROWS_AS(BundleIndex::parse(mutated([](json& j) { j["entries"][0]["size"] = -1; }), "b"), VerificationError);
}

TEST_CASE("BundleIndex carries kustomize entries, checked before they are rendered", "[bundle_index]") {
  auto idx = sample();
  idx.entries.insert(idx.entries.begin() + 2, {"manifests/overlays/release/kustomization.yaml", Sha256::of("k"), 1});
  idx.kustomize.push_back({"manifests/overlays/release",
                           {"manifests/app.yaml", "manifests/overlays/release/kustomization.yaml"},
                           {"manifests/app.yaml"},
                           {"registry.k8s.io/metrics-server/metrics-server:v0.9.0"}});
  const auto text = idx.to_json();
  // Version 2, so that an importer of format 1 refuses what it would render as plain YAML.
  CHECK(json::parse(text)["formatVersion"] == 2);
  CHECK(json::parse(sample().to_json())["formatVersion"] == 1);
  const auto back = BundleIndex::parse(text, "b");
  REQUIRE(back.kustomize.size() == 1);
  CHECK(back.kustomize[0].entry == "manifests/overlays/release");
  CHECK(back.kustomize[0].files == idx.kustomize[0].files);
  CHECK(back.kustomize[0].resources == idx.kustomize[0].resources);
  CHECK(back.kustomize[0].images == idx.kustomize[0].images);
  CHECK(json::parse(sample().to_json()).contains("kustomize") == false);  // absent when there is none

  const auto rejects = [&](const std::function<void(json&)>& change, std::initializer_list<std::string> parts) {
    auto j = json::parse(text);
    change(j);
    REQUIRE_THROWS_MATCHES(BundleIndex::parse(j.dump(), "b"), VerificationError,
                           FailsWith(ExitCode::verification, parts));
  };
  rejects([](json& j) { j["formatVersion"] = 1; },
          {"b: index", "\"kustomize\" needs format version 2, the index says 1"});
  rejects([](json& j) { j["kustomize"][0]["entry"] = "blobs"; }, {"b: index", "not a directory of manifests/"});
  rejects([](json& j) { j["kustomize"][0]["entry"] = "manifests/../x"; }, {"not a directory of manifests/"});
  rejects([](json& j) { j["kustomize"][0]["entry"] = "manifests/app.yaml"; }, {"holds no kustomization file"});
  rejects([](json& j) { j["kustomize"][0]["files"].push_back("manifests/missing.yaml"); },
          {"names \"manifests/missing.yaml\", which is not a manifests/ entry"});
  rejects([](json& j) { j["kustomize"][0]["resources"] = {"oci-layout"}; }, {"not a manifests/ entry"});
  rejects([](json& j) { j["kustomize"][0]["images"] = {"x:1\n  - name: evil"}; }, {"is not a reference"});
  rejects([](json& j) { j["kustomize"][0]["images"] = {"Not Valid"}; }, {"is not a reference"});
  rejects([](json& j) { j["kustomize"][0].erase("images"); }, {"has no \"images\""});
}

TEST_CASE("BundleIndex of a delta: its bases and omitted blobs, checked", "[bundle_index]") {
  const Digest base = Sha256::of("base index");
  const Digest left = Sha256::of("a layer the base carried");
  auto idx = sample();
  idx.delta = BundleDelta{{{base, 6, "1.1.0"}}, {{left, 4096, "argoproj/argo-rollouts"}}};
  const auto text = idx.to_json();
  // Version 3: an importer of format 1 or 2 refuses it by its version (it
  // would find the omitted blobs missing anyway, with a misleading message).
  CHECK(json::parse(text)["formatVersion"] == 3);
  CHECK(json::parse(sample().to_json()).contains("delta") == false);  // a full bundle is unchanged
  const auto back = BundleIndex::parse(text, "b");
  REQUIRE(back.delta);
  REQUIRE(back.delta->bases.size() == 1);
  CHECK(back.delta->bases[0].bundle_digest == base);
  CHECK(back.delta->bases[0].sequence == 6);
  CHECK(back.delta->bases[0].version == "1.1.0");
  REQUIRE(back.delta->omitted.size() == 1);
  CHECK(back.delta->omitted[0].digest == left);
  CHECK(back.delta->omitted[0].size == 4096);
  CHECK(back.delta->omitted[0].repository == "argoproj/argo-rollouts");
  CHECK(back.delta->omitted_bytes() == 4096);
  CHECK(back.delta->find(left) == &back.delta->omitted[0]);
  CHECK(back.delta->find(k_layer) == nullptr);
  CHECK(back.to_json() == text);

  const auto rejects = [&](const std::function<void(json&)>& change, std::initializer_list<std::string> parts) {
    auto j = json::parse(text);
    change(j);
    CAPTURE(j.dump());
    REQUIRE_THROWS_MATCHES(BundleIndex::parse(j.dump(), "b"), VerificationError,
                           FailsWith(ExitCode::verification, parts));
  };
  rejects([](json& j) { j["formatVersion"] = 2; }, {"b: index", "\"delta\" needs format version 3, the index says 2"});
  rejects([](json& j) { j["delta"]["bases"] = json::array(); }, {"a delta names 0 bases (1 to 16)"});
  rejects(
      [&](json& j) {
        for (int i = 0; i < 17; ++i)
          j["delta"]["bases"].push_back(
              {{"bundleDigest", Sha256::of(std::to_string(i)).str()}, {"sequence", 1}, {"version", "1"}});
      },
      {"a delta names 18 bases"});
  rejects([](json& j) { j["delta"]["bases"][0]["sequence"] = 7; }, {"has sequence 7, not before this bundle's 7"});
  rejects([](json& j) { j["delta"]["bases"][0]["sequence"] = -1; }, {"must be a non-negative integer"});
  rejects([](json& j) { j["delta"]["bases"][0]["bundleDigest"] = "sha256:abc"; }, {"malformed digest"});
  rejects([](json& j) { j["delta"]["bases"][0]["version"] = "1.0\n"; }, {"malformed version \"1.0\\x0a\""});
  rejects([](json& j) { j["delta"]["bases"].push_back(j["delta"]["bases"][0]); }, {"appears twice"});
  rejects([](json& j) { j["delta"].erase("omitted"); }, {"the delta has no \"omitted\""});
  rejects([](json& j) { j["delta"]["omitted"].push_back(j["delta"]["omitted"][0]); }, {"is listed twice"});
  rejects([](json& j) { j["delta"]["omitted"][0]["digest"] = k_layer.str(); },
          {"omitted blob " + k_layer.str() + " is also an entry of the bundle"});
  rejects([](json& j) { j["delta"]["omitted"][0]["repository"] = "Not/Valid"; }, {"malformed repository"});
  rejects([](json& j) { j["delta"]["omitted"][0]["size"] = "1"; }, {"must be a non-negative integer"});
  rejects([](json& j) { j["delta"] = "yes"; }, {"the delta has no \"bases\""});
}
