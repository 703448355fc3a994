#include "formats/image_graph.hpp"

#include "../error_matcher.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
using nlohmann::json;

namespace {

// A blob as the bundle carries it.
struct Blob {
  std::string bytes;
  Digest digest;
  std::string path;
  explicit Blob(std::string b) : bytes(std::move(b)), digest(Sha256::of(bytes)), path(blob_entry_path(digest)) {}
};

json descriptor(const Blob& b, std::string_view media_type) {
  return {{"mediaType", media_type}, {"digest", b.digest.str()}, {"size", b.bytes.size()}};
}

Blob manifest(const Blob& config, const std::vector<const Blob*>& layers) {
  json j{{"schemaVersion", 2},
         {"mediaType", media_type::oci_manifest},
         {"config", descriptor(config, "application/vnd.oci.image.config.v1+json")},
         {"layers", json::array()}};
  for (const auto* l : layers) j["layers"].push_back(descriptor(*l, "application/vnd.oci.image.layer.v1.tar+gzip"));
  return Blob(j.dump());
}

Blob index_of(const std::vector<std::pair<const Blob*, std::string>>& children) {
  json j{{"schemaVersion", 2}, {"mediaType", media_type::oci_index}, {"manifests", json::array()}};
  for (const auto& [m, platform] : children) {
    auto d = descriptor(*m, media_type::oci_manifest);
    const auto slash = platform.find('/');
    d["platform"] = {{"os", platform.substr(0, slash)}, {"architecture", platform.substr(slash + 1)}};
    j["manifests"].push_back(d);
  }
  return Blob(j.dump());
}

IndexImage image(const std::string& name, const Blob& root, std::string_view media_type,
                 std::vector<std::string> platforms = {}) {
  const auto colon = name.rfind(':');
  return {.name = name,
          .repository = name.substr(0, colon),
          .tag = name.substr(colon + 1),
          .source = "quay.io/" + name,
          .digest = root.digest,
          .media_type = std::string(media_type),
          .platforms = std::move(platforms)};
}

// Streams blobs through the graph the way BundleReader does: every byte,
// then on_verified. The entries must outlive the graph's use of them.
class Feeder {
public:
  explicit Feeder(ImageGraph& g) : m_graph(g) {}
  void operator()(const Blob& b) {
    m_entries.push_back(std::make_unique<IndexEntry>(IndexEntry{b.path, b.digest, b.bytes.size()}));
    const auto& e = *m_entries.back();
    const auto* p = reinterpret_cast<const std::uint8_t*>(b.bytes.data());
    // In two pieces, as a reader's buffers would split it.
    const auto half = b.bytes.size() / 2;
    m_graph.on_data(e, std::span(p, half));
    m_graph.on_data(e, std::span(p + half, b.bytes.size() - half));
    m_graph.on_verified(e);
  }

private:
  ImageGraph& m_graph;
  std::vector<std::unique_ptr<IndexEntry>> m_entries;
};

std::vector<std::string> digests(const std::vector<Descriptor>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.digest.str());
  return out;
}

}  // namespace

TEST_CASE("ImageGraph: one image, complete", "[image_graph]") {
  const Blob config("{\"architecture\":\"amd64\"}");
  const Blob layer1("layer one");
  const Blob layer2("layer two");
  const auto m = manifest(config, {&layer1, &layer2});
  BundleIndex index;
  index.images.push_back(image("org/app:1", m, media_type::oci_manifest));

  ImageGraph g(index, "b.tar.zst");
  Feeder feed(g);
  CHECK_FALSE(g.is_manifest(m.path));  // only once it has streamed and parsed
  feed(m);
  CHECK(g.is_manifest(m.path));
  CHECK(g.images_needing(layer1.path) == std::vector<std::size_t>{0});
  CHECK(g.images_needing(config.path) == std::vector<std::size_t>{0});
  CHECK(g.images_needing(blob_entry_path(Sha256::of("unrelated"))).empty());
  CHECK_FALSE(g.is_manifest(layer1.path));
  feed(config);
  feed(layer1);
  feed(layer2);
  g.check();

  const auto ms = g.manifests_of(0);
  REQUIRE(ms.size() == 1);
  CHECK(ms[0]->path == m.path);
  CHECK(ms[0]->digest == m.digest);
  CHECK(ms[0]->bytes == m.bytes);  // kept whole, for pushing by digest
  CHECK(ms[0]->media_type == media_type::oci_manifest);
  CHECK(digests(g.blobs_of(0)) ==
        std::vector<std::string>{config.digest.str(), layer1.digest.str(), layer2.digest.str()});
}

TEST_CASE("ImageGraph::check names the image and what is missing", "[image_graph]") {
  const Blob config("{}");
  const Blob layer("layer");
  const auto m = manifest(config, {&layer});
  BundleIndex index;
  index.images.push_back(image("org/app:1", m, media_type::oci_manifest));

  SECTION("a layer") {
    ImageGraph g(index, "b.tar.zst");
    Feeder feed(g);
    feed(m);
    feed(config);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification,
                                     {"b.tar.zst", "image org/app:1", layer.path, "not in the bundle"}));
  }
  SECTION("the manifest itself") {
    ImageGraph g(index, "b.tar.zst");
    Feeder feed(g);
    // Blobs before their manifest: the graph cannot know they are needed.
    feed(config);
    feed(layer);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification, {"b.tar.zst", "image org/app:1", "manifest " + m.path}));
  }
  SECTION("a blob before the manifest that names it") {
    // The importer must know where a blob goes when it streams by.
    ImageGraph g(index, "b.tar.zst");
    Feeder feed(g);
    feed(config);
    REQUIRE_THROWS_MATCHES(feed(m), VerificationError,
                           FailsWith(ExitCode::verification,
                                     {"b.tar.zst", "image org/app:1", config.path, "comes before the manifest"}));
  }
  SECTION("a manifest that is not a manifest") {
    const Blob junk("not json");
    BundleIndex bad;
    bad.images.push_back(image("org/junk:1", junk, media_type::oci_manifest));
    ImageGraph g(bad, "b.tar.zst");
    Feeder feed(g);
    REQUIRE_THROWS_MATCHES(feed(junk), VerificationError,
                           FailsWith(ExitCode::verification, {"image org/junk:1", "b.tar.zst", junk.path, "not JSON"}));
  }
  SECTION("a manifest whose media type is not the index's") {
    BundleIndex bad;
    bad.images.push_back(image("org/app:1", m, media_type::docker_manifest));
    ImageGraph g(bad, "b.tar.zst");
    Feeder feed(g);
    REQUIRE_THROWS_MATCHES(feed(m), VerificationError,
                           FailsWith(ExitCode::verification, {"image org/app:1", "mediaType"}));
  }
}

TEST_CASE("ImageGraph requires every child of an index", "[image_graph]") {
  // A platform filter rewrites the index at pack time, so whatever children
  // the signed index names must all be in the bundle.
  const Blob amd_config("{\"architecture\":\"amd64\"}");
  const Blob amd_layer("amd64 layer");
  const Blob arm_config("{\"architecture\":\"arm64\"}");
  const Blob arm_layer("arm64 layer");
  const auto amd = manifest(amd_config, {&amd_layer});
  const auto arm = manifest(arm_config, {&arm_layer});
  const auto idx = index_of({{&amd, "linux/amd64"}, {&arm, "linux/arm64"}});
  BundleIndex index;
  index.images.push_back(image("org/multi:1", idx, media_type::oci_index, {"linux/amd64", "linux/arm64"}));

  ImageGraph g(index, "b.tar.zst");
  Feeder feed(g);
  feed(idx);
  feed(amd);
  feed(arm);
  CHECK(g.is_manifest(idx.path));
  CHECK(g.is_manifest(amd.path));
  CHECK(g.images_needing(arm_layer.path) == std::vector<std::size_t>{0});

  SECTION("complete") {
    feed(amd_config);
    feed(amd_layer);
    feed(arm_config);
    feed(arm_layer);
    g.check();
    const auto ms = g.manifests_of(0);
    REQUIRE(ms.size() == 3);
    CHECK(ms[0]->path == amd.path);  // children before the index that names them
    CHECK(ms[1]->path == arm.path);
    CHECK(ms[2]->path == idx.path);
    CHECK(ms[2]->parsed.is_index);
    CHECK(ms[2]->parsed.manifests.size() == 2);
    CHECK(digests(g.blobs_of(0)) == std::vector<std::string>{amd_config.digest.str(), amd_layer.digest.str(),
                                                             arm_config.digest.str(), arm_layer.digest.str()});
  }
  SECTION("one platform's layer missing") {
    feed(amd_config);
    feed(amd_layer);
    feed(arm_config);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification, {"b.tar.zst", "org/multi:1", arm_layer.path}));
  }
  SECTION("one platform's manifest missing") {
    ImageGraph g2(index, "b.tar.zst");
    Feeder feed2(g2);
    feed2(idx);
    feed2(amd);
    feed2(amd_config);
    feed2(amd_layer);
    REQUIRE_THROWS_MATCHES(g2.check(), VerificationError,
                           FailsWith(ExitCode::verification, {"org/multi:1", "manifest " + arm.path}));
  }
}

TEST_CASE("ImageGraph shares blobs and manifests between images", "[image_graph]") {
  const Blob config("{}");
  const Blob base("shared base layer");
  const Blob top("app layer");
  const auto single = manifest(config, {&base, &top});
  const auto idx = index_of({{&single, "linux/amd64"}});
  BundleIndex index;
  // Image 0 is the index, image 1 the same manifest on its own.
  index.images.push_back(image("org/app:multi", idx, media_type::oci_index));
  index.images.push_back(image("org/app:single", single, media_type::oci_manifest));

  // Either order of the two roots: the packer writes both before the blobs.
  const bool index_first = GENERATE(true, false);
  CAPTURE(index_first);
  ImageGraph g(index, "b.tar.zst");
  Feeder feed(g);
  if (index_first) {
    feed(idx);
    feed(single);
  } else {
    feed(single);
    feed(idx);
  }
  CHECK(g.images_needing(base.path) == std::vector<std::size_t>{0, 1});
  CHECK(g.images_needing(config.path) == std::vector<std::size_t>{0, 1});
  feed(config);
  feed(base);
  feed(top);
  g.check();
  CHECK(g.manifests_of(0).size() == 2);
  CHECK(g.manifests_of(1).size() == 1);
  CHECK(digests(g.blobs_of(0)) == digests(g.blobs_of(1)));
}

TEST_CASE("ImageGraph of a delta: omitted blobs count as there, no other", "[image_graph]") {
  const Blob config("{}");
  const Blob base("base layer");
  const Blob fresh("new layer");
  const auto m = manifest(config, {&base, &fresh});
  BundleIndex index;
  index.images.push_back(image("org/app:2", m, media_type::oci_manifest));
  index.delta = BundleDelta{{{Sha256::of("base"), 1, "1"}}, {{base.digest, base.bytes.size(), "org/app"}}};

  SECTION("complete with the omitted blob left to the registry") {
    ImageGraph g(index, "d.tar.zst");
    Feeder feed(g);
    feed(m);
    CHECK(g.wants_manifest(m.path));
    CHECK_FALSE(g.wants_manifest(base.path));
    feed(config);
    feed(fresh);
    g.check();
    CHECK(g.images_needing(base.path) == std::vector<std::size_t>{0});
  }
  SECTION("a carried blob missing is still missing") {
    ImageGraph g(index, "d.tar.zst");
    Feeder feed(g);
    feed(m);
    feed(config);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification,
                                     {"d.tar.zst", "image org/app:2", fresh.path, "not in the bundle"}));
  }
  SECTION("an omitted blob of another size than its manifest's") {
    index.delta->omitted[0].size += 1;
    ImageGraph g(index, "d.tar.zst");
    Feeder feed(g);
    feed(m);
    feed(config);
    feed(fresh);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification, {"image org/app:2", base.digest.str(),
                                                              "omitted as 11 bytes, its manifest says 10"}));
  }
  SECTION("an omitted blob no image needs") {
    const Digest stray = Sha256::of("stray");
    index.delta->omitted.push_back({stray, 5, "org/app"});
    ImageGraph g(index, "d.tar.zst");
    Feeder feed(g);
    feed(m);
    feed(config);
    feed(fresh);
    REQUIRE_THROWS_MATCHES(g.check(), VerificationError,
                           FailsWith(ExitCode::verification,
                                     {"d.tar.zst", "omits blob " + stray.str(), "no image of the bundle needs"}));
  }
}
