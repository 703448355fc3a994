// OCI and Docker manifests and indexes: parse_manifest() with each declared
// media type, and filter_index() with a platform filter.
// Properties: a defect is a value, never an exception; a filtered index
// parses again as an index whose children the filter all selects.

#include "common/media_types.hpp"
#include "formats/oci_layout.hpp"
#include "formats/oci_types.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

namespace {

const std::string_view k_declared[] = {"",
                                       media_type::oci_manifest,
                                       media_type::oci_index,
                                       media_type::docker_manifest,
                                       media_type::docker_manifest_list,
                                       "application/json"};
const std::vector<std::string> k_filter = {"linux/amd64"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto json = fuzz::as_text(data + 1, size - 1);
  const auto declared = k_declared[data[0] % std::size(k_declared)];
  const auto parsed = parse_manifest(json, declared, "fuzz.json");
  if (parsed) {
    const auto& m = *parsed;
    fuzz::check(m.is_index == is_index_media_type(m.media_type), "is_index disagrees with the media type",
                m.media_type);
    fuzz::check(declared.empty() || m.media_type == declared, "a manifest of another media type than declared");
  }
  fuzz::refusals_expected([&] {
    const auto filtered = filter_index(json, k_filter, "fuzz.json");
    if (!filtered) return;
    const auto again = parse_manifest(*filtered, "", "filtered.json");
    fuzz::check(again.ok() && again->is_index, "a filtered index does not parse as an index", *filtered);
    for (const auto& child : again->manifests)
      fuzz::check(platform_selected(child, k_filter), "a filtered index keeps a child the filter drops", *filtered);
  });
  return 0;
}
