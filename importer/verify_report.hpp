#pragma once
// What verify and inspect print: one JSON document with --json
// (docs/FORMAT.md describes it), else a short summary for a person.

#include "importer/verify.hpp"

#include "common/report.hpp"

namespace airlock {

[[nodiscard]] Report verify_report(const VerifyReport& report);
[[nodiscard]] Report inspect_report(const InspectReport& report);
// The verify document; import's JSON report extends it.
[[nodiscard]] nlohmann::ordered_json verify_report_json(const VerifyReport& report);

}  // namespace airlock
