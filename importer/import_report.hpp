#pragma once
// What `airlock-import import` and `promote` print: one JSON document with
// --json, else a short human summary.

#include "formats/bundle_parts.hpp"
#include "importer/git_promote.hpp"
#include "importer/import.hpp"
#include "importer/receive.hpp"

#include "common/report.hpp"

#include <string>

namespace airlock {

[[nodiscard]] Report import_report(const ImportReport& report);
// `changes_only`: nothing of what is still settling or was reported
// before (the watch prints each pass; text is empty when nothing happened).
[[nodiscard]] Report receive_report(const ReceivePass& pass, bool changes_only = false);
[[nodiscard]] Report join_report(const JoinResult& result, const std::string& bundle);
// `airlock-import promote`; the URL is printed redacted.
[[nodiscard]] Report promote_report(const PromoteResult& result, const std::string& url, const std::string& from,
                                    const std::string& to);

}  // namespace airlock
