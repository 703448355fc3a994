#pragma once
// What a person sees of the library's progress: a bar with bytes, rate and
// ETA on a terminal (stderr), nothing in a pipe; warnings always, on stderr.

#include "common/progress.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace airlock {

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
