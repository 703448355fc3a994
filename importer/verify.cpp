#include "importer/verify.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/trust_policy.hpp"
#include "formats/image_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace airlock {
namespace {

void check_expiry(const BundleIndex& index, std::int64_t now, const std::string& bundle) {
  if (index.expires && now >= *index.expires)
    throw VerificationError(
        fmt::format("{}: the bundle expired at {} (now {})", bundle, format_utc(*index.expires), format_utc(now)));
}

TrustPolicy load_policy(const VerifyOptions& options) {
  if (!options.pubkeys.empty() && options.trust_policy)
    throw UsageError("give --pubkey or --trust-policy, not both (list every trusted key in the policy file)");
  if (options.trust_policy) return TrustPolicy::load(*options.trust_policy);
  if (options.pubkeys.empty()) throw UsageError("no trusted public key given (use --pubkey or --trust-policy)");
  return TrustPolicy::from_pubkeys(options.pubkeys);
}

// The envelope against the policy's keys that are current at `when`. When
// keys have expired by then, a refusal says which (`when_note` says what
// time that was, when it is not the clock's).
TrustDecision trust_at(const TrustPolicy& policy, const DsseEnvelope& envelope, std::int64_t when,
                       const std::string& where, const std::string& when_note) {
  const auto current = policy.keys_at(when);
  std::string expired;
  for (const auto& e : current.expired) expired += (expired.empty() ? "" : "; ") + e;
  try {
    if (current.keys.size() < policy.threshold)
      throw VerificationError(fmt::format("{}: trust policy {} needs {} signatures, but only {} of its keys {} current",
                                          where, policy.source, policy.threshold, current.keys.size(),
                                          current.keys.size() == 1 ? "is" : "are"));
    TrustDecision decision = dsse_verify(envelope, current.keys, policy.threshold, where);
    decision.policy = policy.source;
    return decision;
  } catch (const VerificationError& e) {
    if (expired.empty()) throw;
    throw VerificationError(fmt::format("{} (no longer trusted{}: {})", e.what(), when_note, expired));
  }
}

}  // namespace

TrustedBundle open_trusted_bundle(const BundleInputs& bundle, const VerifyOptions& options) {
  TrustedBundle t;
  t.policy = load_policy(options);
  const std::int64_t now = options.now.value_or(unix_now());
  t.reader = std::make_unique<BundleReader>(bundle);
  const auto where = fmt::format("{}: {}", t.reader->name(), k_envelope_entry);
  t.trust = trust_at(t.policy, t.reader->envelope(), now, where, "");
  t.index = BundleIndex::parse(t.reader->envelope().payload, where);
  t.bundle_digest = Sha256::of(t.reader->envelope().payload);
  check_expiry(t.index, now, t.reader->name());
  if (t.index.created > now + k_max_clock_skew)
    throw VerificationError(fmt::format("{}: the bundle was created at {}, more than {} h after this clock ({}): "
                                        "refused, so that no bundle can move an import branch's clock floor ahead",
                                        t.reader->name(), format_utc(t.index.created), k_max_clock_skew / 3600,
                                        format_utc(now)));
  return t;
}

void recheck_trust_at(const TrustedBundle& t, std::int64_t when, std::string_view why) {
  if (t.policy.keys_at(when).expired.empty()) return;
  (void)trust_at(t.policy, t.reader->envelope(), when, fmt::format("{}: {}", t.reader->name(), k_envelope_entry),
                 fmt::format(" at {}, {}", format_utc(when), why));
}

VerifyReport verify_bundle(const BundleInputs& bundle, const VerifyOptions& options, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  TrustedBundle t = open_trusted_bundle(bundle, options);
  VerifyReport report;
  report.bundle = t.reader->name();
  report.trust = t.trust;
  report.index = std::move(t.index);
  report.bundle_digest = t.bundle_digest;

  ImageGraph graph(report.index, report.bundle);
  t.reader->stream(report.index, graph, progress);
  graph.check();

  report.compressed_bytes = t.reader->compressed_bytes();
  report.archive_bytes = t.reader->archive_bytes();
  report.parts = t.reader->part_status();
  report.decoded_chunks = t.reader->decoded_chunks();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

InspectReport inspect_bundle(const BundleInputs& bundle) {
  BundleReader reader(bundle);
  InspectReport report;
  report.bundle = reader.name();
  report.parts = reader.part_status();
  const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
  dsse_check_payload_type(reader.envelope(), where);
  report.index = BundleIndex::parse(reader.envelope().payload, where);
  report.bundle_digest = Sha256::of(reader.envelope().payload);
  for (const auto& s : reader.envelope().signatures) report.signer_keyids.push_back(s.keyid);
  return report;
}

}  // namespace airlock
