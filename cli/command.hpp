#pragma once
// One subcommand of a program. define() binds its flags to members that
// CLI11 fills while parsing; run() is its action, called only once parsing
// succeeded. Errors are thrown, and run_cli turns them into DESIGN.md's
// exit codes.

#include "common/byte_size.hpp"
#include "common/progress.hpp"
#include "common/report.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

// The BUNDLE... positional of verify, inspect and import: one bundle, or
// the parts of one.
inline void add_bundle_inputs(CLI::App& cmd, std::vector<std::string>& inputs) {
  cmd.add_option("bundle", inputs,
                 "Bundle (.tar.zst), - for standard input, or its parts: a directory of them, or the part files")
      ->required();
}

// "4GiB", "700MB" (common/byte_size.hpp).
inline CLI::Option* add_size_option(CLI::App& cmd, const char* name, std::uint64_t& value, const char* help) {
  return cmd.add_option_function<std::string>(
      name,
      [&value, name](const std::string& text) {
        const auto n = parse_byte_size(text);
        if (!n) throw CLI::ValidationError(name, "\"" + text + "\" is not a size (for example 4GiB, 700MB, 1048576)");
        value = *n;
      },
      help);
}

// --part-size, --parity, --data-parts of split and create.
struct PartLayout;
void add_part_flags(CLI::App& cmd, PartLayout& layout, bool required);

using CommandFactory = std::unique_ptr<Command> (*)();

}  // namespace airlock
