#pragma once
// What the fuzz targets share. Each target feeds one parser hostile bytes;
// the parser may refuse them only with airlock's Error hierarchy (or a
// failure value). Anything else escapes the target and libFuzzer reports
// it: another exception type, a crash, a hang, a leak, a sanitizer report,
// or a property that check() finds broken.

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/progress.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace airlock::fuzz {

[[nodiscard]] inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `parse`; airlock's errors are the expected refusals.
template <class F>
void refusals_expected(F&& parse) {
  try {
    parse();
  } catch (const Error&) {}
}

// A property the target asserts; prints `what` and aborts when it fails,
// so libFuzzer keeps the input.
void check(bool ok, std::string_view what, std::string_view detail = {});

// The input as an anonymous in-memory file, for the parsers that take a
// path: /proc/self/fd/N opens it again from the start.
class MemFile {
public:
  explicit MemFile(std::string_view bytes);
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }

private:
  Fd m_fd;
  std::filesystem::path m_path;
};

// A directory that lives as long as the process, under $TMPDIR, for the
// parsers that read files named relative to the one they load.
[[nodiscard]] const std::filesystem::path& scratch_dir();
void write_file(const std::filesystem::path& path, std::string_view bytes);

struct NullProgress final : Progress {
  void begin(std::string_view, std::uint64_t) override {}
  void advance(std::uint64_t) override {}
  void end() override {}
  void warn(std::string_view) override {}
};

}  // namespace airlock::fuzz
