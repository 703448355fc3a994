#pragma once
// The receipt an import commits under .airlock/receipts/<release>/<sequence>.json:
// what was imported (bundle digest, signers, images with their pinned
// references), where to and when. docs/OPERATIONS.md describes it.

#include "formats/bundle_index.hpp"
#include "formats/dsse_envelope.hpp"

#include <cstdint>
#include <string>

namespace airlock {

struct ImportedRelease {
  const BundleIndex& index;
  const Digest& bundle_digest;
  const TrustDecision& trust;
  std::string registry;
  std::string prefix;
  std::int64_t now = 0;
};

// `url` must already be redacted.
[[nodiscard]] std::string receipt_json(const ImportedRelease& release, const std::string& dir, const std::string& url,
                                       const std::string& branch);

}  // namespace airlock
