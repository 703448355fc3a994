#pragma once
// One subcommand of a program. define() binds its flags to members that
// CLI11 fills while parsing; run() is its action, called only once parsing
// succeeded. Errors are thrown, and run_cli turns them into DESIGN.md's
// exit codes.

#include "common/progress.hpp"
#include "common/report.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace airlock {

class Command {
public:
  Command(const char* command_name, const char* command_summary) : name(command_name), summary(command_summary) {}
  virtual ~Command() = default;
  virtual void define(CLI::App& cmd) = 0;
  virtual void run(Progress& progress) = 0;

  const char* const name;
  const char* const summary;
  bool json = false;  // --json: every command takes it

protected:
  // One JSON document with --json (for scripts), else the text for a person.
  void print(const Report& report) const;
};

// The BUNDLE positional of the commands that read one ("-": standard input).
inline void add_bundle_argument(CLI::App& cmd, std::string& bundle) {
  cmd.add_option("bundle", bundle, "Bundle (.tar.zst), or - for standard input")->required();
}

// The SPEC positional of the commands that read a release spec.
inline void add_spec_argument(CLI::App& cmd, std::string& spec) {
  cmd.add_option("spec", spec, "Release spec (YAML)")->required();
}

using CommandFactory = std::unique_ptr<Command> (*)();

}  // namespace airlock
