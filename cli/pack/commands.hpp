#pragma once

#include "cli/run_cli.hpp"
#include "cli/terminal_progress.hpp"

namespace airlock {

void add_keygen_command(CLI::App& app, CommandAction& action);
void add_create_command(CLI::App& app, CommandAction& action);
void add_images_command(CLI::App& app, CommandAction& action);
void add_sign_command(CLI::App& app, CommandAction& action);

}  // namespace airlock
