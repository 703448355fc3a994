#pragma once
// An output file that appears at its final path only on commit(): written to
// a temporary file beside the target, fsynced, then renamed. Destroying an
// uncommitted AtomicFile removes the temporary, so a failed run leaves
// nothing that looks valid.

#include "common/fd.hpp"

#include <filesystem>
#include <string_view>

namespace airlock {

class AtomicFile {
public:
  // Throws UsageError when the directory is not writable.
  AtomicFile(std::filesystem::path target, unsigned mode);
  // Before the work that produces it: UsageError when `target` is a
  // directory or its directory does not exist, so that a long run does not
  // fail at its very end.
  static void check_target(const std::filesystem::path& target, std::string_view what);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] int fd() const noexcept { return m_fd.get(); }
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return m_target; }
  // Writes all of data or throws Error naming the target.
  void write(std::string_view data);
  // fsync, rename over the target, fsync the directory. Throws Error.
  void commit();

private:
  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  Fd m_fd;
  bool m_committed = false;
};

}  // namespace airlock
