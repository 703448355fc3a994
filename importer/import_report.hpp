#pragma once
// What `airlock-import import` and `promote` print: one JSON document with
// --json, else a short human summary.

#include "importer/git_branch.hpp"
#include "importer/import.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

[[nodiscard]] nlohmann::ordered_json import_report_json(const ImportReport& report);
[[nodiscard]] std::string import_report_text(const ImportReport& report);

// `airlock-import promote`; the URL is printed redacted.
[[nodiscard]] nlohmann::ordered_json promote_report_json(const PromoteResult& result, const std::string& url,
                                                         const std::string& from, const std::string& to);
[[nodiscard]] std::string promote_report_text(const PromoteResult& result, const std::string& from,
                                              const std::string& to);

}  // namespace airlock
