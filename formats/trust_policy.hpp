#pragma once
// A site's trust policy: which keys may sign bundles, how many of them must
// (m-of-n), and until when each key counts. YAML:
//
//   threshold: 2                      # optional, default 1
//   keys:
//     - path: vendor-release.pub      # SPKI PEM, relative to this file
//       expires: 2027-06-30T00:00:00Z # optional; from then on the key does not count
//     - path: vendor-security.pub
//
// `--pubkey K` on the command line is the policy "threshold 1, keys K".

#include "formats/ed25519_key.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct PolicyKey {
  PublicKey key;
  std::optional<std::int64_t> expires;  // unix seconds
};

struct TrustPolicy {
  std::string source;  // the file, or "--pubkey"
  std::size_t threshold = 1;
  std::vector<PolicyKey> keys;

  // Throws UsageError naming file:line for any defect: unknown keys, a
  // threshold of 0 or above the number of keys, a key listed twice, an
  // unreadable or non-Ed25519 key, a malformed expiry.
  [[nodiscard]] static TrustPolicy load(const std::filesystem::path& path);
  [[nodiscard]] static TrustPolicy from_pubkeys(const std::vector<std::filesystem::path>& pubkeys);

  // The keys that count at `now`, and a note on those that no longer do.
  struct Current {
    std::vector<PublicKey> keys;
    std::vector<std::string> expired;  // "KEYID (FILE) expired at T"
  };
  [[nodiscard]] Current keys_at(std::int64_t now) const;
};

}  // namespace airlock
