#pragma once
// The --key files of create and sign: each loaded, none twice (a second
// signature by the same key would count once and only look like two).

#include "formats/ed25519_key.hpp"

#include <filesystem>
#include <vector>

namespace airlock {

// Throws UsageError when none is given, one cannot be loaded, or two are
// the same key.
[[nodiscard]] std::vector<SigningKey> load_signing_keys(const std::vector<std::filesystem::path>& paths);

}  // namespace airlock
