#pragma once

#include "common/cli_support.hpp"
#include "importer/verify.hpp"

#include <string>

namespace airlock {

void add_verify_command(CLI::App& app, CommandAction& action);
void add_inspect_command(CLI::App& app, CommandAction& action);
void add_import_command(CLI::App& app, CommandAction& action);
void add_promote_command(CLI::App& app, CommandAction& action);

// Human-readable reports (importer/report_text.cpp).
[[nodiscard]] std::string verify_report_text(const VerifyReport& report);
[[nodiscard]] std::string inspect_report_text(const InspectReport& report);

}  // namespace airlock
