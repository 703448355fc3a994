#pragma once

#include <filesystem>
#include <string>

namespace airlock {

struct KeygenResult {
  std::filesystem::path private_key;
  std::filesystem::path public_key;
  std::string keyid;
};

// Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM),
// each atomically. Refuses to overwrite an existing key (UsageError).
[[nodiscard]] KeygenResult keygen(const std::filesystem::path& prefix);

}  // namespace airlock
