#pragma once
// What both command-line programs share: the one top-level catch that maps
// the error hierarchy to DESIGN.md's exit codes, and the terminal progress
// reporter. Linked only into the executables: the library never prints.

#include "common/progress.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace airlock {

// The action a subcommand chose while parsing; run after parsing succeeds.
using CommandAction = std::function<int()>;

// Parses argv, runs the chosen action, prints "PROGRAM: error: ..." for
// failures and returns the exit code.
int run_cli(CLI::App& app, const CommandAction& action, int argc, char** argv);

// A bar with bytes, rate and ETA on a terminal (stderr), nothing otherwise;
// warnings always go to stderr.
class TerminalProgress final : public Progress {
public:
  explicit TerminalProgress(std::string program, bool quiet = false);
  ~TerminalProgress() override;
  void begin(std::string_view phase, std::uint64_t total_bytes) override;
  void advance(std::uint64_t bytes) override;
  void end() override;
  void warn(std::string_view message) override;

private:
  void draw(bool final);
  std::string m_program;
  bool m_enabled;
  std::string m_phase;
  std::uint64_t m_total = 0;
  std::uint64_t m_done = 0;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last_draw;
};

}  // namespace airlock
