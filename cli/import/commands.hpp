#pragma once

#include "cli/run_cli.hpp"
#include "cli/terminal_progress.hpp"

namespace airlock {

void add_verify_command(CLI::App& app, CommandAction& action);
void add_inspect_command(CLI::App& app, CommandAction& action);
void add_import_command(CLI::App& app, CommandAction& action);
void add_promote_command(CLI::App& app, CommandAction& action);

}  // namespace airlock
