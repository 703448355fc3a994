#pragma once
// How the library reports progress and notices without printing. The CLI
// decides what a person or a script sees (a bar on a terminal, nothing in a
// pipe, JSON with --json).

#include <cstdint>
#include <string>
#include <string_view>

namespace airlock {

class Progress {
public:
  virtual ~Progress() = default;
  // A named phase with a total in bytes (0 when unknown).
  virtual void begin(std::string_view phase, std::uint64_t total_bytes) = 0;
  virtual void advance(std::uint64_t bytes) = 0;
  virtual void end() = 0;
  // Something the user should read, e.g. an ignored file.
  virtual void warn(std::string_view message) = 0;
};

class NullProgress final : public Progress {
public:
  void begin(std::string_view, std::uint64_t) override {}
  void advance(std::uint64_t) override {}
  void end() override {}
  void warn(std::string_view) override {}
};

}  // namespace airlock
