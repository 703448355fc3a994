#include "packer/delta_plan.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace airlock;

namespace {

Descriptor blob(const std::string& name, std::uint64_t size) {
  return {"application/vnd.oci.image.layer.v1.tar+gzip", Sha256::of(name), size, std::nullopt, {}};
}

ImageContents image(const std::string& name, const std::vector<std::string>& layers) {
  const auto colon = name.rfind(':');
  ImageContents c{name, name.substr(0, colon), Sha256::of("manifest " + name), {}, {}, {}};
  c.manifests.push_back(blob("manifest " + name, 500));
  c.configs.push_back(blob("config " + name, 100));
  for (const auto& l : layers) c.layers.push_back(blob(l, 1000 + l.size()));
  return c;
}

ReleaseContents bundle(std::uint64_t sequence, const std::vector<ImageContents>& images,
                       const std::vector<std::string>& omitted = {}) {
  ReleaseContents r;
  r.name = "rel";
  r.version = std::to_string(sequence);
  r.sequence = sequence;
  r.bundle_digest = Sha256::of("bundle " + std::to_string(sequence));
  r.images = images;
  for (const auto& img : images)
    for (const auto* list : {&img.manifests, &img.configs, &img.layers})
      for (const auto& d : *list) r.carried.insert(d.digest);
  for (const auto& o : omitted) r.carried.erase(Sha256::of(o));
  return r;
}

std::vector<std::string> omitted_names(const BundleDelta& d, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& o : d.omitted)
    for (const auto& n : names)
      if (Sha256::of(n) == o.digest) out.push_back(n + "@" + o.repository);
  return out;
}

}  // namespace

TEST_CASE("plan_delta omits the layers a base carried, and nothing else", "[delta_plan]") {
  const auto base = bundle(1, {image("org/app:1", {"os", "app1"}), image("org/web:1", {"os", "web1"})});
  // app changed one layer, web is unchanged, new shares the os layer.
  const std::vector<ImageContents> next{image("org/app:2", {"os", "app2"}), image("org/web:1", {"os", "web1"}),
                                        image("org/new:1", {"os", "new1"})};
  const auto d = plan_delta(next, {base});
  REQUIRE(d.bases.size() == 1);
  CHECK(d.bases[0].sequence == 1);
  CHECK(d.bases[0].bundle_digest == *base.bundle_digest);
  // Archive order; each expected where the base's import put it, in the
  // repository of an image that needs it when that one had it.
  const std::vector<std::string> names{"os", "app1", "web1", "app2", "new1"};
  CHECK(omitted_names(d, names) == std::vector<std::string>{"os@org/app", "web1@org/web"});
  CHECK(d.omitted[0].size == 1002);
  CHECK(d.omitted_bytes() == 1002 + 1004);
}

TEST_CASE("plan_delta expects a layer in a repository that had it", "[delta_plan]") {
  // The base layer is at org/web only: org/app did not have it.
  const auto base = bundle(1, {image("org/app:1", {"app1"}), image("org/web:1", {"os", "web1"})});
  const auto d = plan_delta({image("org/app:2", {"os", "app2"})}, {base});
  CHECK(omitted_names(d, {"os"}) == std::vector<std::string>{"os@org/web"});
}

TEST_CASE("plan_delta carries what a base only omitted, unless another base carried it", "[delta_plan]") {
  const auto full = bundle(1, {image("org/app:1", {"os", "app1"})});
  // Sequence 2 was a delta of 1: it omitted os.
  const auto delta = bundle(2, {image("org/app:2", {"os", "app2"})}, {"os"});
  const std::vector<ImageContents> next{image("org/app:3", {"os", "app2", "app3"})};
  const std::vector<std::string> names{"os", "app2", "app3"};
  CHECK(omitted_names(plan_delta(next, {delta}), names) == std::vector<std::string>{"app2@org/app"});
  const auto both = plan_delta(next, {delta, full});
  CHECK(omitted_names(both, names) == std::vector<std::string>{"os@org/app", "app2@org/app"});
  CHECK(both.bases.size() == 2);
}

TEST_CASE("plan_delta never omits a manifest or a config", "[delta_plan]") {
  const auto base = bundle(1, {image("org/app:1", {"os"})});
  // The new image's config is a layer the base carried, and its layer is
  // the base's config: only what a base carried as a layer, needed as a
  // layer, is left out.
  auto next = image("org/app:2", {"config org/app:1"});
  next.configs = {blob("os", 1002)};
  CHECK(plan_delta({next}, {base}).omitted.empty());
  CHECK(plan_delta({image("org/app:1", {"os"})}, {base}).omitted.size() == 1);
}
