// Rewrites a good bundle into a bad one, one defect per case, so each test
// of the reader exercises exactly one of its checks. Cases that add an entry
// the index could list (a symlink, a device, an oversized pax header) list
// it and re-sign with --key, so only the check under test can stop it.

#include "common/archive_handles.hpp"
#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/zstd_handles.hpp"
#include "formats/bundle_index.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/oci_types.hpp"
#include "tests/testkit/raw_tar.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <sys/sysmacros.h>

namespace airlock::testkit {
namespace {

struct Entry {
  std::string path;
  std::string data;
  unsigned type = AE_IFREG;
  std::string link;             // symlink target or hardlink source
  std::size_t xattr_bytes = 0;  // pads the pax header
  std::string raw_before;       // whole header blocks written before this entry's own
};

std::vector<Entry> read_entries(const std::string& file) {
  ArchiveReadPtr a(archive_read_new());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    throw Error(fmt::format("cannot read {}: {}", file, archive_error_string(a.get())));
  std::vector<Entry> out;
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    Entry en{archive_entry_pathname(e), std::string(static_cast<std::size_t>(archive_entry_size(e)), '\0')};
    if (!en.data.empty() &&
        archive_read_data(a.get(), en.data.data(), en.data.size()) != static_cast<la_ssize_t>(en.data.size()))
      throw Error("short read of " + en.path);
    out.push_back(std::move(en));
  }
  return out;
}

la_ssize_t append(archive*, void* out, const void* buf, size_t len) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

std::string write_tar(const std::vector<Entry>& entries) {
  std::string out;
  ArchiveWritePtr a(archive_write_new());
  archive_write_set_format_pax(a.get());
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open2(a.get(), &out, nullptr, append, nullptr, nullptr);
  for (const auto& en : entries) {
    ArchiveEntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), en.path.c_str());
    archive_entry_set_perm(e.get(), 0644);
    if (en.type == AE_IFREG && !en.link.empty()) {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_hardlink(e.get(), en.link.c_str());
      archive_entry_set_size(e.get(), 0);
    } else {
      archive_entry_set_filetype(e.get(), en.type);
      if (en.type == AE_IFLNK) archive_entry_set_symlink(e.get(), en.link.c_str());
      if (en.type == AE_IFCHR) archive_entry_set_rdev(e.get(), makedev(1, 3));
      archive_entry_set_size(e.get(), en.type == AE_IFREG ? static_cast<la_int64_t>(en.data.size()) : 0);
    }
    if (en.xattr_bytes > 0) {
      const std::string big(en.xattr_bytes, 'x');
      archive_entry_xattr_add_entry(e.get(), "user.padding", big.data(), big.size());
    }
    archive_write_finish_entry(a.get());  // the previous entry's padding, before any raw blocks
    out += en.raw_before;
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      throw Error(fmt::format("cannot write {}: {}", en.path, archive_error_string(a.get())));
    if (en.type == AE_IFREG && en.link.empty() && !en.data.empty())
      archive_write_data(a.get(), en.data.data(), en.data.size());
  }
  archive_write_close(a.get());
  return out;
}

std::string compress(const std::string& tar, int window_log) {
  const ZstdCCtxPtr cctx(ZSTD_createCCtx());
  if (!cctx) throw Error("cannot allocate a zstd encoder");
  ZSTD_CCtx* c = cctx.get();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
  if (window_log > 0) ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(tar.size()), '\0');
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  ZSTD_inBuffer ib{tar.data(), tar.size(), 0};
  // Input first, end separately: zstd then never learns the size, and the
  // frame declares the full window instead of one shrunk to the content.
  std::size_t rc = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue);
  ZSTD_inBuffer none{nullptr, 0, 0};
  if (!ZSTD_isError(rc)) rc = ZSTD_compressStream2(c, &ob, &none, ZSTD_e_end);
  if (ZSTD_isError(rc) || rc != 0) throw Error("zstd failed");
  out.resize(ob.pos);
  return out;
}

// A zstd skippable frame: magic 0x184D2A50, a 4-byte size, the content.
std::string skippable_frame(const std::string& content) {
  std::string f = "\x50\x2a\x4d\x18";
  for (int i = 0; i < 4; ++i) f += static_cast<char>((content.size() >> (8 * i)) & 0xff);
  return f + content;
}

Entry& find(std::vector<Entry>& entries, const std::function<bool(const Entry&)>& pred, std::string_view what) {
  for (auto& e : entries)
    if (pred(e)) return e;
  throw Error(fmt::format("the bundle has no {}", what));
}

Entry& blob(std::vector<Entry>& entries, const Digest& d) {
  return find(
      entries, [&](const Entry& e) { return e.path == blob_entry_path(d); }, d.str());
}

void flip(Entry& e) {
  if (e.data.empty()) throw Error("cannot flip a byte of empty " + e.path);
  e.data[e.data.size() / 2] = static_cast<char>(e.data[e.data.size() / 2] ^ 0x01);
}

// The first single-platform manifest of the first image, parsed.
ParsedManifest first_manifest(std::vector<Entry>& entries, const BundleIndex& index, Digest* digest) {
  Digest d = index.images.at(0).digest;
  auto m = parse_manifest(blob(entries, d).data, "", "testkit").value_or_throw<Error>();
  if (m.is_index) {
    d = m.manifests.at(0).digest;
    m = parse_manifest(blob(entries, d).data, "", "testkit").value_or_throw<Error>();
  }
  if (digest) *digest = d;
  return m;
}

}  // namespace

int mutate_bundle(const std::vector<std::string>& args) {
  if (args.size() < 3) throw UsageError("mutate IN OUT CASE [--key KEY]");
  const std::string& in = args[0];
  const std::string& out_path = args[1];
  const std::string& kase = args[2];
  std::optional<SigningKey> key;
  if (args.size() == 5 && args[3] == "--key") key = SigningKey::load(args[4]);

  auto entries = read_entries(in);
  auto& env_entry = entries.at(0);
  auto envelope = DsseEnvelope::parse(env_entry.data, "testkit");
  auto index = BundleIndex::parse(envelope.payload, "testkit");
  int window_log = 0;
  bool resign = false;
  bool skippable_before = false;  // a skippable zstd frame ahead of the archive
  std::string after_tar;          // bytes after the end-of-archive marker, same frame
  std::string extra_frame;        // a second zstd frame after the first
  const auto yaml = [](const Entry& e) { return e.path.starts_with("manifests/"); };
  // Adds an entry and lists it in the index (needs --key to re-sign), where
  // a YAML file goes: before the first blob.
  const auto add_listed = [&](Entry e) {
    const auto is_blob = [](const auto& x) { return x.path.starts_with("blobs/"); };
    index.entries.insert(std::find_if(index.entries.begin(), index.entries.end(), is_blob),
                         {e.path, Sha256::of(e.data), e.data.size()});
    entries.insert(std::find_if(entries.begin(), entries.end(), is_blob), std::move(e));
    resign = true;
  };

  if (kase == "flip-layer") {
    Digest md;
    const auto m = first_manifest(entries, index, &md);
    flip(blob(entries, m.layers.at(0).digest));
  } else if (kase == "flip-config") {
    flip(blob(entries, first_manifest(entries, index, nullptr).config->digest));
  } else if (kase == "flip-manifest") {
    flip(blob(entries, index.images.at(0).digest));
  } else if (kase == "flip-yaml") {
    flip(find(entries, yaml, "YAML file"));
  } else if (kase == "flip-payload") {
    envelope.payload[envelope.payload.find("\"version\"") + 13] ^= 0x01;
    env_entry.data = envelope.to_json();
  } else if (kase == "flip-sig") {
    envelope.signatures.at(0).sig[10] ^= 0x01;
    env_entry.data = envelope.to_json();
  } else if (kase == "unlisted") {
    entries.push_back({"extra.txt", "not in the index\n"});
  } else if (kase == "missing") {
    const auto& victim = find(entries, yaml, "YAML file");
    entries.erase(entries.begin() + (&victim - entries.data()));
  } else if (kase == "duplicate") {
    entries.push_back(find(entries, yaml, "YAML file"));
  } else if (kase == "oversize-entry") {
    find(entries, yaml, "YAML file").data += "# one more line\n";
  } else if (kase == "dotdot") {
    entries.push_back({"../x", "escape\n"});
  } else if (kase == "absolute") {
    entries.push_back({"/abs", "escape\n"});
  } else if (kase == "backslash") {
    entries.push_back({"manifests\\evil.yaml", "a: b\n"});
  } else if (kase == "symlink") {
    add_listed({"manifests/link.yaml", "", AE_IFLNK, "/etc/passwd"});
  } else if (kase == "hardlink") {
    add_listed({"manifests/hard.yaml", "", AE_IFREG, "oci-layout"});
  } else if (kase == "device") {
    add_listed({"manifests/dev.yaml", "", AE_IFCHR});
  } else if (kase == "fifo") {
    add_listed({"manifests/fifo.yaml", "", AE_IFIFO});
  } else if (kase == "pax-oversize") {
    add_listed({"manifests/zz-padded.yaml", "a: b\n", AE_IFREG, "", 96 * 1024});
  } else if (kase == "envelope-oversize") {
    env_entry.data = std::string(1100 * 1024, ' ') + env_entry.data;
  } else if (kase == "envelope-not-first") {
    std::swap(entries.at(0), entries.at(1));
  } else if (kase == "drop-layer-signed") {
    const auto m = first_manifest(entries, index, nullptr);
    const auto path = blob_entry_path(m.layers.at(0).digest);
    std::erase_if(entries, [&](const Entry& e) { return e.path == path; });
    std::erase_if(index.entries, [&](const IndexEntry& e) { return e.path == path; });
    resign = true;
  } else if (kase == "misnamed-blob") {
    add_listed({"blobs/sha256/" + std::string(64, '0'), "named for another digest\n"});
  } else if (kase == "trailing-data") {
    after_tar = "data after the end of the archive\n";
  } else if (kase == "trailing-frame") {
    extra_frame = compress("a second frame the archive does not hold\n", 0);
  } else if (kase == "blob-before-manifest") {
    // The first image's config moves ahead of every manifest, in the archive
    // and in the re-signed index: only the image graph can tell.
    const auto path = blob_entry_path(first_manifest(entries, index, nullptr).config->digest);
    const auto is_blob = [](const auto& x) { return x.path.starts_with("blobs/"); };
    auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.path == path; });
    Entry moved = *it;
    entries.erase(it);
    entries.insert(std::find_if(entries.begin(), entries.end(), is_blob), std::move(moved));
    auto listed =
        std::find_if(index.entries.begin(), index.entries.end(), [&](const auto& e) { return e.path == path; });
    IndexEntry moved_entry = *listed;
    index.entries.erase(listed);
    index.entries.insert(std::find_if(index.entries.begin(), index.entries.end(), is_blob), moved_entry);
    resign = true;
  } else if (kase == "yaml-bomb" || kase == "yaml-huge") {
    // The first YAML file replaced, its index entry too, re-signed: only the
    // importer's YAML limits can stop it.
    auto& e = find(entries, yaml, "YAML file");
    if (kase == "yaml-bomb") {
      e.data =
          "kind: ConfigMap\napiVersion: v1\nmetadata: {name: bomb}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n";
      for (char c = 'b'; c <= 'j'; ++c)
        e.data += fmt::format("  {0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n", c,
                              static_cast<char>(c - 1));
    } else {
      e.data = "kind: ConfigMap\napiVersion: v1\nmetadata: {name: huge}\ndata:\n  big: \"" +
               std::string(20 << 20, 'x') + "\"\n";
    }
    for (auto& listed : index.entries)
      if (listed.path == e.path) listed = {e.path, Sha256::of(e.data), e.data.size()};
    resign = true;
  } else if (kase == "created-future") {
    index.created = 4070908800;  // 2099-01-01: it would set an import branch's clock floor
    resign = true;
  } else if (kase == "reordered") {
    // Two entries swap places in the archive; the index keeps its order.
    std::swap(entries.at(1), entries.at(2));
  } else if (kase == "pax-global") {
    // GNU tar would apply this path to the entries after it; libarchive ignores it.
    find(entries, yaml, "YAML file").raw_before = raw_header('g', "pax_global_header", pax_record("path", "evil.yaml"));
  } else if (kase == "pax-sparse-name") {
    auto& e = find(entries, yaml, "YAML file");
    e.raw_before = raw_header('x', "PaxHeader/x", pax_record("GNU.sparse.name", "manifests/other.yaml"));
  } else if (kase == "gnu-longname") {
    auto& e = find(entries, yaml, "YAML file");
    e.raw_before = raw_header('L', "././@LongLink", e.path + std::string(1, '\0'));
  } else if (kase == "skippable-before") {
    skippable_before = true;
  } else if (kase == "skippable-after") {
    extra_frame = skippable_frame("carried across the diode, never verified\n");
  } else if (kase == "padding-flood") {
    after_tar = std::string(8 << 20, '\0');
  } else if (kase == "format-version-float" || kase == "format-version-wrap") {
    if (!key) throw UsageError("case " + kase + " needs --key to re-sign the index");
    auto payload = index.to_json();
    const std::string from = "\"formatVersion\": 1";
    payload.replace(payload.find(from), from.size(),
                    kase == "format-version-float" ? "\"formatVersion\": 1.9" : "\"formatVersion\": 4294967297");
    envelope = dsse_sign(k_bundle_payload_type, payload, {&*key});
    entries.at(0).data = envelope.to_json();
  } else if (kase == "zstd-bomb") {
    window_log = 27;  // 128 MiB: above the reader's 16 MiB cap
  } else if (kase == "identity") {
  } else {
    throw UsageError("unknown case " + kase);
  }

  if (resign) {
    if (!key) throw UsageError("case " + kase + " needs --key to re-sign the index");
    envelope = dsse_sign(k_bundle_payload_type, index.to_json(), {&*key});
    entries.at(0).data = envelope.to_json();
  }
  const auto frame = skippable_before ? skippable_frame("unverified bytes ahead of the archive\n") : std::string();
  const auto bytes = frame + compress(write_tar(entries) + after_tar, window_log) + extra_frame;
  std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return f ? 0 : 1;
}

}  // namespace airlock::testkit
