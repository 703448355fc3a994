#include "cli/terminal_progress.hpp"

#include "common/printable.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace airlock {

namespace {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

TerminalProgress::TerminalProgress(std::string program, bool quiet)
    : m_program(std::move(program)), m_enabled(!quiet && ::isatty(STDERR_FILENO) == 1) {}

TerminalProgress::~TerminalProgress() = default;

void TerminalProgress::begin(std::string_view phase, std::uint64_t total_bytes) {
  m_phase = phase;
  m_total = total_bytes;
  m_done = 0;
  m_start = m_last_draw = std::chrono::steady_clock::now();
}

void TerminalProgress::advance(std::uint64_t bytes) {
  m_done += bytes;
  if (!m_enabled) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - m_last_draw < std::chrono::milliseconds(200)) return;
  m_last_draw = now;
  draw(false);
}

void TerminalProgress::end() {
  if (m_enabled && !m_phase.empty()) draw(true);
  m_phase.clear();
}

void TerminalProgress::draw(bool final) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double rate = secs > 0 ? static_cast<double>(m_done) / secs : 0;
  std::string line = fmt::format("{} {}: {}", m_program, m_phase, human_bytes(static_cast<double>(m_done)));
  if (m_total > 0) {
    const double frac = std::min(1.0, static_cast<double>(m_done) / static_cast<double>(m_total));
    const int width = 24;
    const int filled = static_cast<int>(frac * width);
    line += fmt::format(" / {} [{}{}] {:3.0f}%", human_bytes(static_cast<double>(m_total)),
                        std::string(static_cast<std::size_t>(filled), '#'),
                        std::string(static_cast<std::size_t>(width - filled), ' '), frac * 100);
    if (!final && rate > 0)
      line += fmt::format(" ETA {:.0f}s", static_cast<double>(m_total - std::min(m_total, m_done)) / rate);
  }
  line += fmt::format(" {}/s", human_bytes(rate));
  fmt::print(stderr, "\r\033[K{}{}", line, final ? "\n" : "");
  std::fflush(stderr);
}

void TerminalProgress::warn(std::string_view message) {
  if (m_enabled && !m_phase.empty()) fmt::print(stderr, "\r\033[K");
  fmt::print(stderr, "{}: warning: {}\n", m_program, terminal_safe(message));
}

}  // namespace airlock
