#pragma once
// What the packer's commands print: one JSON document with --json, else a
// short summary for a person; and the one wording of the warning about an
// image reference the bundle will not carry.

#include "formats/image_discovery.hpp"
#include "packer/keygen.hpp"
#include "packer/pack.hpp"
#include "packer/release_plan.hpp"
#include "packer/sign_bundle.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

// "FILE:LINE: \"REF\" looks like an image outside an image field (CONTEXT); ..."
[[nodiscard]] std::string unbundled_reference_warning(const FoundImage& found);

[[nodiscard]] nlohmann::ordered_json pack_report_json(const PackResult& result, const std::string& bundle);
[[nodiscard]] std::string pack_report_text(const PackResult& result, const std::string& bundle);

[[nodiscard]] nlohmann::ordered_json sign_report_json(const SignBundleResult& result, const std::string& bundle);
[[nodiscard]] std::string sign_report_text(const SignBundleResult& result, const std::string& bundle);

// `airlock-pack images`: every image the bundle would hold and where it was
// found, and the references it would not carry.
[[nodiscard]] nlohmann::ordered_json images_report_json(const ReleasePlan& plan);
[[nodiscard]] std::string images_report_text(const ReleasePlan& plan);

[[nodiscard]] nlohmann::ordered_json keygen_report_json(const KeygenResult& result);
[[nodiscard]] std::string keygen_report_text(const KeygenResult& result);

}  // namespace airlock
