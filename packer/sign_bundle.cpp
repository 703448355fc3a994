#include "packer/sign_bundle.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/ed25519_key.hpp"
#include "formats/tar_zst_writer.hpp"
#include "packer/signing_keys.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {
namespace {

// Copies each entry into the writer as the reader hands it on. An entry
// with no bytes reaches only on_verified.
class CopyHandler final : public EntryHandler {
public:
  explicit CopyHandler(TarZstWriter& writer) : m_writer(writer) {}

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override {
    begin(entry);
    m_writer.write(data);
  }
  void on_verified(const IndexEntry& entry) override {
    begin(entry);
    m_writer.end_entry();
    m_current = nullptr;
  }

private:
  void begin(const IndexEntry& entry) {
    if (m_current == &entry) return;
    m_writer.begin_entry(entry.path, entry.size);
    m_current = &entry;
  }

  TarZstWriter& m_writer;
  const IndexEntry* m_current = nullptr;
};

}  // namespace

SignBundleResult sign_bundle(const SignBundleOptions& options, Progress& progress) {
  AtomicFile::check_target(options.output, "output");
  const std::vector<SigningKey> keys = load_signing_keys(options.keys);
  std::vector<PublicKey> required;
  for (const auto& path : options.require_signed_by) required.push_back(PublicKey::load(path));

  BundleReader reader(options.bundle);
  const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
  DsseEnvelope envelope = reader.envelope();
  dsse_check_payload_type(envelope, where);
  if (!required.empty()) (void)dsse_verify(envelope, required, 1, where);

  SignBundleResult result;
  result.index = BundleIndex::parse(envelope.payload, where);
  result.bundle_digest = Sha256::of(envelope.payload);
  for (const auto& s : envelope.signatures) result.previous_keyids.push_back(s.keyid);
  std::vector<const SigningKey*> signers;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& id = keys[i].keyid();
    const auto& signed_ids = result.previous_keyids;
    if (std::find(signed_ids.begin(), signed_ids.end(), id) != signed_ids.end())
      throw UsageError(fmt::format("--key {}: key {} already signed {}", options.keys[i].string(), id, reader.name()));
    signers.push_back(&keys[i]);
    result.added_keyids.push_back(id);
  }
  // The same payload signed again: dsse_sign's signatures join the old ones.
  for (auto& s : dsse_sign(envelope.payload_type, envelope.payload, signers).signatures)
    envelope.signatures.push_back(std::move(s));

  AtomicFile out(options.output, 0644);
  TarZstWriter writer(out.fd(), options.output.string(),
                      {.level = options.zstd_level, .workers = options.workers, .mtime = result.index.created});
  writer.add(k_envelope_entry, envelope.to_json());
  CopyHandler copy(writer);
  reader.stream(result.index, copy, progress);
  writer.finish();
  out.commit();
  result.compressed_bytes = writer.compressed_bytes();
  return result;
}

}  // namespace airlock
