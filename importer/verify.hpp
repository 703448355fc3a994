#pragma once
// Verification of a bundle: envelope and trust first, then expiry, then
// every entry in one streaming pass, then completeness (every blob the
// images' manifests need is in the bundle).

#include "common/progress.hpp"
#include "formats/bundle_index.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/trust_policy.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct VerifyOptions {
  // The trusted keys: --pubkey (any one signature suffices), or a trust
  // policy file (threshold and per-key expiry); not both.
  std::vector<std::filesystem::path> pubkeys;
  std::optional<std::filesystem::path> trust_policy;
  std::optional<std::int64_t> now;  // for tests of expiry; unset: the clock
};

struct VerifyReport {
  std::string bundle;
  BundleIndex index;
  Digest bundle_digest;
  TrustDecision trust;
  std::uint64_t compressed_bytes = 0;
  std::uint64_t archive_bytes = 0;
  double seconds = 0;
  // Read from parts: each group as found, and the chunks decoded from parity.
  std::optional<std::vector<PartGroupStatus>> parts;
  std::uint64_t decoded_chunks = 0;
};

// What every command that reads a whole bundle does first: the envelope
// checked against the trusted keys, the index parsed, expiry checked; the
// reader is positioned at the first entry after the envelope.
struct TrustedBundle {
  std::unique_ptr<BundleReader> reader;
  BundleIndex index;
  Digest bundle_digest;
  TrustDecision trust;
  TrustPolicy policy;
};
// A bundle file, "-", or the parts of one (formats/bundle_reader.hpp).
using BundleInputs = std::vector<std::filesystem::path>;

[[nodiscard]] TrustedBundle open_trusted_bundle(const BundleInputs& bundle, const VerifyOptions& options);

// The trust decision again, with the keys that are current at `when` (a
// clock floor later than the clock: a key that expired by then does not
// count). `why` says where the floor comes from.
void recheck_trust_at(const TrustedBundle& t, std::int64_t when, std::string_view why);

// Throws UsageError (no key, unreadable key or bundle) or VerificationError
// naming the bundle and the entry.
[[nodiscard]] VerifyReport verify_bundle(const BundleInputs& bundle, const VerifyOptions& options, Progress& progress);

struct InspectReport {
  std::string bundle;
  BundleIndex index;
  Digest bundle_digest;
  std::vector<std::string> signer_keyids;
  std::optional<std::vector<PartGroupStatus>> parts;
};

// Reads only the envelope: fast, and explicitly not a verification.
[[nodiscard]] InspectReport inspect_bundle(const BundleInputs& bundle);

}  // namespace airlock
