#pragma once
// The subcommands of both programs, one small file each: cli/pack/ for
// airlock-pack, cli/import/ for airlock-import.

#include "cli/command.hpp"

#include <memory>

namespace airlock {

// airlock-pack
[[nodiscard]] std::unique_ptr<Command> keygen_command();
[[nodiscard]] std::unique_ptr<Command> create_command();
[[nodiscard]] std::unique_ptr<Command> images_command();
[[nodiscard]] std::unique_ptr<Command> sign_command();
[[nodiscard]] std::unique_ptr<Command> diff_command();
[[nodiscard]] std::unique_ptr<Command> split_command();

// airlock-import
[[nodiscard]] std::unique_ptr<Command> verify_command();
[[nodiscard]] std::unique_ptr<Command> inspect_command();
[[nodiscard]] std::unique_ptr<Command> import_command();
[[nodiscard]] std::unique_ptr<Command> promote_command();
[[nodiscard]] std::unique_ptr<Command> join_command();
[[nodiscard]] std::unique_ptr<Command> receive_command();

}  // namespace airlock
