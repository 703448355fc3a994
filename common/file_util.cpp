#include "common/file_util.hpp"

#include "common/error.hpp"
#include "common/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace airlock {

std::string read_small_file(const std::filesystem::path& path, std::uint64_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw UsageError("cannot open " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw UsageError("cannot stat " + path.string() + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw UsageError(path.string() + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_size)
    throw UsageError(path.string() + " is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                     std::to_string(max_size));
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UsageError("cannot read " + path.string() + ": " + errno_text(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

}  // namespace airlock
