// A vendor's kustomization file: parse_kustomization() on the input's
// first part, then each images entry it accepts applied to the second part
// as an image field's value; the replacements and patch readers on the
// same text. The input is the kustomization, then the value
// (FuzzedDataProvider's split).
// Properties: a refusal is an Error; every images entry kept has a name
// kustomize reads as written and says where it stands in the file; an
// entry that does not match a value leaves it unchanged; one that matches
// and sets everything gives the value it names.

#include "formats/kustomization.hpp"
#include "formats/kustomize_image.hpp"
#include "fuzz/fuzz_support.hpp"

#include <fuzzer/FuzzedDataProvider.h>

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto text = in.ConsumeRandomLengthString(1 << 16);
  const auto value = in.ConsumeRemainingBytesAsString();
  fuzz::refusals_expected([&] {
    const Kustomization k = parse_kustomization(text, "fuzz/kustomization.yaml");
    for (const auto& img : k.images) {
      fuzz::check(kustomize_image_name_reason(img.name).empty(),
                  "an images entry kept with a name kustomize reads "
                  "as a pattern",
                  img.name);
      fuzz::check(img.where.starts_with("fuzz/kustomization.yaml:"), "an images entry that says not where it is",
                  img.where);
      const auto out = apply_kustomize_image(img, value);
      if (!kustomize_image_matches(img.name, value))
        fuzz::check(out == value, "an images entry changed a value it does not match", value);
      else if (!img.new_name.empty() && !img.new_tag.empty() && !img.digest.empty())
        fuzz::check(out == img.new_name + ":" + img.new_tag + "@" + img.digest,
                    "an images entry setting name, tag and digest gave another value", out);
    }
    for (const auto& r : k.resources)
      fuzz::check(r.where.starts_with("fuzz/kustomization.yaml:"), "a resource that says not where it is", r.where);
  });
  fuzz::refusals_expected([&] { (void)replacement_image_notes(text, "fuzz/replacements.yaml"); });
  fuzz::refusals_expected([&] { (void)is_json6902_patch(text, "fuzz/patch.yaml"); });
  (void)split_kustomize_image(value);
  return 0;
}
