#pragma once
// The one top-level catch of both programs: parses argv, runs the chosen
// subcommand's action, prints "PROGRAM: error: ..." for a failure and
// returns the exit code DESIGN.md fixes for its type.

#include <CLI/CLI.hpp>

#include <functional>

namespace airlock {

// The action a subcommand chose while parsing; run after parsing succeeds.
using CommandAction = std::function<int()>;

int run_cli(CLI::App& app, const CommandAction& action, int argc, char** argv);

}  // namespace airlock
