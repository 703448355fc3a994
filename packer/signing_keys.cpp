#include "packer/signing_keys.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace airlock {

std::vector<SigningKey> load_signing_keys(const std::vector<std::filesystem::path>& paths) {
  if (paths.empty()) throw UsageError("no signing key given (use --key)");
  std::vector<SigningKey> keys;
  for (const auto& path : paths) {
    keys.push_back(SigningKey::load(path));
    for (std::size_t i = 0; i + 1 < keys.size(); ++i)
      if (keys[i].keyid() == keys.back().keyid())
        throw UsageError(fmt::format("--key {}: the same key as --key {} (key id {})", path.string(), paths[i].string(),
                                     keys.back().keyid()));
  }
  return keys;
}

}  // namespace airlock
