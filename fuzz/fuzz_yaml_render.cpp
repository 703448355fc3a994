// Discovery and render on a vendor's YAML: scan_yaml(), discover_images(),
// references_in_text() and render_images().
// Properties: each reference found in the text as a whole stands at its
// offset, is qualified and parses to what was reported; every scalar
// scan_yaml() reports lies inside the text; every image found with an
// offset stands there byte for byte; a
// render whose target rewrites nothing gives the input byte for byte; a
// render that maps every reference to one pinned reference gives YAML that
// parses again, in which a second discovery finds that pinned reference
// wherever the first found an original, on the same lines (and no other
// reference).

#include "common/sha256.hpp"
#include "formats/image_discovery.hpp"
#include "formats/reference_scan.hpp"
#include "formats/yaml_scan.hpp"
#include "fuzz/fuzz_support.hpp"
#include "importer/image_rewrite.hpp"

#include <algorithm>

using namespace airlock;

namespace {

struct Bounds final : YamlVisitor {
  std::string_view text;
  explicit Bounds(std::string_view t) : text(t) {}
  void document_start() override {}
  void document_end() override {}
  void scalar(const YamlScalar& s) override {
    fuzz::check(s.offset <= text.size() && s.line >= 1, "a scalar outside the text");
    (void)yaml_path_text(s.path);
  }
};

const ImageReference& pinned() {
  static const auto ref =
      ImageReference::parse("registry.example:5000/fuzz/pinned@" + Sha256::of(std::string("pinned")).str(), "pinned");
  return ref;
}

void same_places(const std::vector<FoundImage>& before, const std::vector<FoundImage>& after, std::string_view what,
                 std::string_view text) {
  fuzz::check(before.size() == after.size(), what, text);
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
    fuzz::check(after[i].reference.str() == pinned().str(), what, after[i].text);
    fuzz::check(after[i].where == before[i].where, what, after[i].where);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto yaml = fuzz::as_text(data, size);
  for (const auto& r : references_in_text(yaml)) {
    fuzz::check(yaml.substr(r.offset, r.text.size()) == r.text, "a reference does not stand at its offset", r.text);
    fuzz::check(is_qualified_reference(r.text), "a reference found is not qualified", r.text);
    const auto again = ImageReference::try_parse(r.text);
    fuzz::check(again && again->str() == r.reference.str(), "a reference found parses otherwise", r.text);
  }
  fuzz::refusals_expected([&] {
    Bounds bounds(yaml);
    scan_yaml(yaml, "fuzz.yaml", bounds);
  });
  fuzz::refusals_expected([&] {
    const auto first = discover_images(yaml, "fuzz.yaml");
    for (const auto* list : {&first.images, &first.embedded})
      for (const auto& f : *list)
        fuzz::check(f.offset == std::string::npos || yaml.substr(f.offset, f.text.size()) == f.text,
                    "an image found does not stand at its offset", f.text);
    const auto kept = render_images(yaml, "fuzz.yaml", [](const ImageReference&) { return std::nullopt; });
    fuzz::check(kept.text == yaml && kept.rewrites.empty(), "a render that rewrites nothing changed the text");

    RenderedYaml out;
    try {
      out = render_images(yaml, "fuzz.yaml", [](const ImageReference&) { return std::optional(pinned().str()); });
    } catch (const UsageError&) {
      return;  // a reference that does not stand byte for byte in the file
    }
    DiscoveryResult second;
    try {
      Bounds bounds(out.text);
      scan_yaml(out.text, "rendered.yaml", bounds);
      second = discover_images(out.text, "fuzz.yaml");
    } catch (const Error& e) {
      fuzz::check(false, "the rendered YAML does not parse again", std::string(e.what()) + "\n" + out.text);
    }
    same_places(first.images, second.images, "the rendered image fields differ from the originals", out.text);
    // An anchor's value rewritten for the image field that aliases it may
    // now read as a qualified reference where it stands: more embedded
    // references, never fewer, every one pinned.
    for (const auto& e : second.embedded)
      fuzz::check(e.reference.str() == pinned().str(), "a rendered embedded reference is not the target", e.text);
    for (const auto& e : first.embedded)
      fuzz::check(std::any_of(second.embedded.begin(), second.embedded.end(),
                              [&](const FoundImage& f) { return f.where == e.where; }),
                  "an embedded reference is not rewritten where it was", e.where + "\n" + out.text);
  });
  return 0;
}
