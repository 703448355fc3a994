#include "fuzz/fuzz_support.hpp"

#include "common/printable.hpp"
#include "common/temp_dir.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

namespace airlock::fuzz {

void check(bool ok, std::string_view what, std::string_view detail) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property failed: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", printable(detail).c_str());
  std::abort();
}

MemFile::MemFile(std::string_view bytes) : m_fd(::memfd_create("airlock-fuzz", MFD_CLOEXEC)) {
  if (!m_fd.valid()) throw std::runtime_error("memfd_create: " + errno_text(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(m_fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) throw std::runtime_error("memfd write: " + errno_text(errno));
    done += static_cast<std::size_t>(n);
  }
  m_path = "/proc/self/fd/" + std::to_string(m_fd.get());
}

const std::filesystem::path& scratch_dir() {
  // Leaked on purpose: libFuzzer may leave through exit() with the dir in
  // use; scripts/fuzz points $TMPDIR at build-fuzz/tmp and empties it.
  static const auto* dir = new TempDir("airlock-fuzz");
  return dir->path();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace airlock::fuzz
