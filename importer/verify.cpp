#include "importer/verify.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/oci_types.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace airlock {
namespace {

// Keeps the manifests and indexes of the bundle's images as they stream by
// and checks at the end that everything they reference was in the bundle.
class CompletenessCheck final : public EntryHandler {
public:
  CompletenessCheck(const BundleIndex& index, std::string bundle) : m_bundle(std::move(bundle)) {
    for (const auto& img : index.images) {
      m_wanted_json.emplace(blob_entry_path(img.digest), Want{img.name, img.media_type, &img.platforms});
    }
  }

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override {
    if (m_wanted_json.contains(entry.path) && entry.size <= k_max_json_blob)
      m_buffer.append(reinterpret_cast<const char*>(data.data()), data.size());
  }

  void on_verified(const IndexEntry& entry) override {
    m_present.insert(entry.path);
    const auto it = m_wanted_json.find(entry.path);
    if (it == m_wanted_json.end()) {
      m_buffer.clear();
      return;
    }
    const Want want = it->second;
    const std::string json = std::move(m_buffer);
    m_buffer.clear();
    ParsedManifest m;
    try {
      m = parse_manifest(json, want.media_type, fmt::format("{}: {}", m_bundle, entry.path));
    } catch (const Error& e) {
      throw VerificationError(fmt::format("image {}: {}", want.image, e.what()));
    }
    // A pack filtered by platform keeps the index but only the children the
    // image's platforms name.
    for (const auto& child : m.manifests)
      if (!child.platform || want.platforms->empty() ||
          std::find(want.platforms->begin(), want.platforms->end(), *child.platform) != want.platforms->end())
        m_wanted_json.emplace(blob_entry_path(child.digest), Want{want.image, child.media_type, want.platforms});
    if (m.config) m_required.emplace(blob_entry_path(m.config->digest), want.image);
    for (const auto& layer : m.layers) m_required.emplace(blob_entry_path(layer.digest), want.image);
    m_parsed.insert(entry.path);
  }

  void check() const {
    for (const auto& [path, want] : m_wanted_json)
      if (!m_parsed.contains(path))
        throw VerificationError(fmt::format("{}: image {}: manifest {} is not in the bundle (or comes after its blobs)",
                                            m_bundle, want.image, path));
    for (const auto& [path, image] : m_required)
      if (!m_present.contains(path))
        throw VerificationError(fmt::format("{}: image {}: blob {} is not in the bundle", m_bundle, image, path));
  }

private:
  struct Want {
    std::string image;
    std::string media_type;
    const std::vector<std::string>* platforms;
  };
  std::string m_bundle;
  std::map<std::string, Want> m_wanted_json;
  std::multimap<std::string, std::string> m_required;
  std::set<std::string> m_present;
  std::set<std::string> m_parsed;
  std::string m_buffer;
};

void check_expiry(const BundleIndex& index, std::int64_t now, const std::string& bundle) {
  if (index.expires && now >= *index.expires)
    throw VerificationError(fmt::format("{}: the bundle expired at {} (now {})", bundle,
                                        format_utc(*index.expires), format_utc(now)));
}

}  // namespace

VerifyReport verify_bundle(const std::filesystem::path& bundle, const VerifyOptions& options, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (options.pubkeys.empty()) throw UsageError("no trusted public key given (use --pubkey)");
  std::vector<PublicKey> keys;
  for (const auto& p : options.pubkeys) keys.push_back(PublicKey::load(p));

  BundleReader reader(bundle);
  VerifyReport report;
  report.bundle = reader.name();
  const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
  report.trust = dsse_verify(reader.envelope(), keys, options.threshold, where);
  report.index = BundleIndex::parse(reader.envelope().payload, where);
  report.bundle_digest = Sha256::of(reader.envelope().payload);
  check_expiry(report.index, options.now.value_or(unix_now()), reader.name());

  CompletenessCheck completeness(report.index, reader.name());
  reader.stream(report.index, completeness, progress);
  completeness.check();

  report.compressed_bytes = reader.compressed_bytes();
  report.archive_bytes = reader.archive_bytes();
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
