#pragma once
// What verify and inspect print: one JSON document with --json
// (docs/FORMAT.md describes it), else a short summary for a person.

#include "importer/verify.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

[[nodiscard]] nlohmann::ordered_json index_summary_json(const BundleIndex& index);
[[nodiscard]] nlohmann::ordered_json verify_report_json(const VerifyReport& report);
[[nodiscard]] nlohmann::ordered_json inspect_report_json(const InspectReport& report);
[[nodiscard]] std::string verify_report_text(const VerifyReport& report);
[[nodiscard]] std::string inspect_report_text(const InspectReport& report);

}  // namespace airlock
