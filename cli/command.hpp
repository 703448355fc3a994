#pragma once
// One subcommand of a program: define() binds its flags to members that
// CLI11 fills while parsing; run() is its action, called only once parsing
// succeeded, and returns the exit status (errors are thrown, and run_cli
// turns them into DESIGN.md's exit codes).

#include <CLI/CLI.hpp>

#include <memory>

namespace airlock {

class Command {
public:
  virtual ~Command() = default;
  virtual void define(CLI::App& cmd) = 0;
  virtual int run() = 0;
};

struct CommandEntry {
  const char* name;
  const char* summary;
  std::unique_ptr<Command> (*make)();
};

}  // namespace airlock
