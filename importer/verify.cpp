#include "importer/verify.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "importer/image_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace airlock {
namespace {

void check_expiry(const BundleIndex& index, std::int64_t now, const std::string& bundle) {
  if (index.expires && now >= *index.expires)
    throw VerificationError(fmt::format("{}: the bundle expired at {} (now {})", bundle,
                                        format_utc(*index.expires), format_utc(now)));
}

}  // namespace

TrustedBundle open_trusted_bundle(const std::filesystem::path& bundle, const VerifyOptions& options) {
  if (options.pubkeys.empty()) throw UsageError("no trusted public key given (use --pubkey)");
  std::vector<PublicKey> keys;
  for (const auto& p : options.pubkeys) keys.push_back(PublicKey::load(p));

  TrustedBundle t;
  t.reader = std::make_unique<BundleReader>(bundle);
  const auto where = fmt::format("{}: {}", t.reader->name(), k_envelope_entry);
  t.trust = dsse_verify(t.reader->envelope(), keys, options.threshold, where);
  t.index = BundleIndex::parse(t.reader->envelope().payload, where);
  t.bundle_digest = Sha256::of(t.reader->envelope().payload);
  check_expiry(t.index, options.now.value_or(unix_now()), t.reader->name());
  return t;
}

VerifyReport verify_bundle(const std::filesystem::path& bundle, const VerifyOptions& options, Progress& progress) {
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
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

InspectReport inspect_bundle(const std::filesystem::path& bundle) {
  BundleReader reader(bundle);
  InspectReport report;
  report.bundle = reader.name();
  const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
  if (reader.envelope().payload_type != k_bundle_payload_type)
    throw VerificationError(fmt::format("{}: payloadType is \"{}\", not an airlock bundle", where,
                                        reader.envelope().payload_type));
  report.index = BundleIndex::parse(reader.envelope().payload, where);
  report.bundle_digest = Sha256::of(reader.envelope().payload);
  for (const auto& s : reader.envelope().signatures) report.signer_keyids.push_back(s.keyid);
  return report;
}

}  // namespace airlock
