#pragma once
// A private temporary directory, removed with everything in it on scope exit.

#include "common/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace airlock {

class TempDir {
public:
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw Error("cannot create a temporary directory: " + errno_text(errno));
    m_path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }

private:
  std::filesystem::path m_path;
};

}  // namespace airlock
