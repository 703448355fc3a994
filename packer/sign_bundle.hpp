#pragma once
// Adds signatures to an existing bundle, for a second signer on another
// machine (a site's trust policy may require two). The signed payload is
// unchanged, so the bundle digest is too; every entry is copied through the
// safe reader, checked against the index as it passes, into a new archive
// written beside the output and renamed on success.

#include "common/progress.hpp"
#include "formats/bundle_index.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct SignBundleOptions {
  std::filesystem::path bundle;  // "-" for standard input
  std::vector<std::filesystem::path> keys;
  std::filesystem::path output;
  // When given: refuse unless one of these keys already signed the bundle.
  std::vector<std::filesystem::path> require_signed_by;
  int zstd_level = 3;
  int workers = 0;
};

struct SignBundleResult {
  BundleIndex index;
  Digest bundle_digest;
  std::vector<std::string> previous_keyids;  // signers before
  std::vector<std::string> added_keyids;     // in --key order
  std::uint64_t compressed_bytes = 0;
};

// Throws UsageError (keys, options, a key that already signed),
// VerificationError (a damaged bundle, or no signature by a required key).
[[nodiscard]] SignBundleResult sign_bundle(const SignBundleOptions& options, Progress& progress);

}  // namespace airlock
