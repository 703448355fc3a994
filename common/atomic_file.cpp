#include "common/atomic_file.hpp"

#include "common/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace airlock {

AtomicFile::AtomicFile(std::filesystem::path target, unsigned mode) : m_target(std::move(target)) {
  std::string tmpl = m_target.string() + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw UsageError("cannot create output " + m_target.string() + ": " + errno_text(errno));
  m_fd = Fd(fd);
  m_temp = tmpl;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0)
    throw Error("cannot set mode of " + m_temp.string() + ": " + errno_text(errno));
}

void AtomicFile::check_target(const std::filesystem::path& target, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(target, ec))
    throw UsageError(std::string(what) + " " + target.string() + " is a directory; name the file to write");
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir, ec))
    throw UsageError(std::string(what) + " " + target.string() + ": its directory " + dir.string() + " does not exist");
}

AtomicFile::~AtomicFile() {
  if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(m_fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write " + m_target.string() + ": " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (::fsync(m_fd.get()) != 0) throw Error("cannot sync " + m_target.string() + ": " + errno_text(errno));
  m_fd.reset();
  if (::rename(m_temp.c_str(), m_target.c_str()) != 0)
    throw Error("cannot rename " + m_temp.string() + " to " + m_target.string() + ": " + errno_text(errno));
  m_committed = true;
  const auto dir = m_target.has_parent_path() ? m_target.parent_path() : ".";
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
}

}  // namespace airlock
