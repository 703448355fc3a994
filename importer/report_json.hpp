#pragma once
// The --json documents of verify and inspect (docs/FORMAT.md describes them).

#include "importer/verify.hpp"

#include <nlohmann/json.hpp>

namespace airlock {

[[nodiscard]] nlohmann::ordered_json index_summary_json(const BundleIndex& index);
[[nodiscard]] nlohmann::ordered_json verify_report_json(const VerifyReport& report);
[[nodiscard]] nlohmann::ordered_json inspect_report_json(const InspectReport& report);

}  // namespace airlock
