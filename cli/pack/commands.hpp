#pragma once
// The subcommands of airlock-pack, one file each.

#include "cli/command.hpp"

#include <memory>

namespace airlock {

[[nodiscard]] std::unique_ptr<Command> keygen_command();
[[nodiscard]] std::unique_ptr<Command> create_command();
[[nodiscard]] std::unique_ptr<Command> images_command();
[[nodiscard]] std::unique_ptr<Command> sign_command();

}  // namespace airlock
