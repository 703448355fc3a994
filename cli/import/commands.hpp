#pragma once
// The subcommands of airlock-import, one file each (verify and inspect share one).

#include "cli/command.hpp"

#include <memory>

namespace airlock {

[[nodiscard]] std::unique_ptr<Command> verify_command();
[[nodiscard]] std::unique_ptr<Command> inspect_command();
[[nodiscard]] std::unique_ptr<Command> import_command();
[[nodiscard]] std::unique_ptr<Command> promote_command();

}  // namespace airlock
