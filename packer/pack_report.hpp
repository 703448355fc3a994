#pragma once
// What the packer's commands print: one JSON document with --json, else a
// short summary for a person; and the one wording of the warning about an
// image reference the bundle will not carry.

#include "formats/bundle_parts.hpp"
#include "formats/image_discovery.hpp"
#include "packer/keygen.hpp"
#include "packer/pack.hpp"
#include "packer/release_plan.hpp"
#include "packer/sign_bundle.hpp"

#include "common/progress.hpp"
#include "common/report.hpp"

#include <string>

namespace airlock {

// "FILE:LINE: \"REF\" is an image reference outside an image field (CONTEXT); ..."
[[nodiscard]] std::string unbundled_reference_warning(const FoundImage& found);
// Every unbundled reference and every note of the plan, as warnings.
void report_plan_notices(const ReleasePlan& plan, Progress& progress);

[[nodiscard]] Report pack_report(const PackResult& result, const std::string& bundle);
[[nodiscard]] Report split_report(const SplitResult& result, const PartLayout& layout);
[[nodiscard]] Report sign_report(const SignBundleResult& result, const std::string& bundle);

// `airlock-pack images`: every image the bundle would hold and where it was
// found, and the references it would not carry.
[[nodiscard]] Report images_report(const ReleasePlan& plan);
[[nodiscard]] Report keygen_report(const KeygenResult& result);

}  // namespace airlock
