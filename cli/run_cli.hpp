#pragma once
// The one entry of both programs: parses argv into one of the program's
// commands, runs it with progress on a terminal, prints
// "PROGRAM: error: ..." for a failure and returns the exit code DESIGN.md
// fixes for its type.

#include "cli/command.hpp"

#include <initializer_list>

namespace airlock {

int run_cli(int argc, char** argv, const char* program, const char* description,
            std::initializer_list<CommandFactory> commands);

}  // namespace airlock
