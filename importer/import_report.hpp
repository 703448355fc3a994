#pragma once
// What `airlock-import import` prints: one JSON document with --json, else
// a short human summary.

#include "importer/import.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

[[nodiscard]] nlohmann::ordered_json import_report_json(const ImportReport& report);
[[nodiscard]] std::string import_report_text(const ImportReport& report);

}  // namespace airlock
