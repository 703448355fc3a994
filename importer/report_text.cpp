#include "common/timestamp.hpp"
#include "importer/commands.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {
namespace {

std::string summary(const BundleIndex& index) {
  std::string out;
  out += fmt::format("release:   {} {} (sequence {})\n", index.name, index.version, index.sequence);
  out += fmt::format("created:   {}\n", format_utc(index.created));
  out += fmt::format("expires:   {}\n", index.expires ? format_utc(*index.expires) : "never");
  std::uint64_t blob_bytes = 0;
  std::size_t blobs = 0;
  std::vector<const IndexEntry*> manifests;
  for (const auto& e : index.entries) {
    if (e.path.starts_with("blobs/")) {
      ++blobs;
      blob_bytes += e.size;
    }
    if (e.path.starts_with("manifests/")) manifests.push_back(&e);
  }
  out += fmt::format("images:    {}\n", index.images.size());
  for (const auto& img : index.images) {
    std::string plats;
    for (const auto& p : img.platforms) plats += (plats.empty() ? "" : ",") + p;
    out += fmt::format("  {}  {}  {} bytes  [{}]\n    from {}{}\n", img.name, img.digest.str(), img.size,
                       plats, img.source,
                       img.source_digest ? fmt::format(" (index {} filtered by platform)", img.source_digest->str())
                                         : "");
  }
  out += fmt::format("manifests: {}\n", manifests.size());
  for (const auto* m : manifests) out += fmt::format("  {}  {} bytes\n", m->path, m->size);
  out += fmt::format("totals:    {} entries, {} blobs, {} blob bytes, {} bytes in all\n", index.entries.size() + 1,
                     blobs, blob_bytes, index.total_entry_bytes());
  return out;
}

}  // namespace

std::string verify_report_text(const VerifyReport& r) {
  std::string out = fmt::format("VERIFIED {}\nbundle:    sha256:{}\n", r.bundle, r.bundle_digest.hex());
  for (std::size_t i = 0; i < r.trust.trusted_keyids.size(); ++i)
    out += fmt::format("signed by: {} (trusted key {})\n", r.trust.trusted_keyids[i], r.trust.trusted_sources[i]);
  for (const auto& id : r.trust.signer_keyids)
    if (std::find(r.trust.trusted_keyids.begin(), r.trust.trusted_keyids.end(), id) == r.trust.trusted_keyids.end())
      out += fmt::format("also signed by: {} (not trusted here)\n", id);
  if (r.trust.policy != "--pubkey")
    out += fmt::format("trust:     {} trusted signature{} of {} required, policy {}\n", r.trust.trusted_keyids.size(),
                       r.trust.trusted_keyids.size() == 1 ? "" : "s", r.trust.threshold, r.trust.policy);
  out += summary(r.index);
  out += fmt::format("checked:   {} bytes compressed in {:.2f} s\n", r.compressed_bytes, r.seconds);
  return out;
}

std::string inspect_report_text(const InspectReport& r) {
  std::string out = fmt::format("NOT VERIFIED (inspect reads the envelope only; run verify with a trusted key)\n"
                                "bundle:    {}\ndigest:    sha256:{}\n",
                                r.bundle, r.bundle_digest.hex());
  for (const auto& id : r.signer_keyids) out += fmt::format("signer:    {}\n", id);
  out += summary(r.index);
  return out;
}

}  // namespace airlock
