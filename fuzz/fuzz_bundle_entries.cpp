// The bundle reader on archives built around fuzzed entries, so the input
// gets past zstd, the tar checksums and the envelope: the fuzzer chooses
// entry names, types, contents, raw extension headers (pax records, GNU
// long names, global headers, any type byte), whether and how the index
// lists each entry, and what follows the archive. libarchive writes the
// tar, libzstd compresses it.
//
// Properties: an entry reaches on_verified() only with exactly the bytes
// the index names, each listed entry at most once; a stream() that
// returns without stopping has read the whole archive.

#include "common/archive_handles.hpp"
#include "common/zstd_handles.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/names.hpp"
#include "fuzz/fuzz_support.hpp"
#include "tests/testkit/raw_tar.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <map>
#include <set>

using namespace airlock;
using airlock::testkit::pax_record;
using airlock::testkit::raw_header;

namespace {

la_ssize_t append(archive*, void* out, const void* buf, size_t len) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

struct Entry {
  std::string path;
  std::string data;
  unsigned type = AE_IFREG;
  std::string link;
  std::string raw_before;
  bool listed = true;
  std::int64_t size_delta = 0;
  bool wrong_digest = false;
};

const char* const k_names[] = {"bundle.dsse.json",
                               "oci-layout",
                               "index.json",
                               "manifests/app.yaml",
                               "manifests/sub/b.yml",
                               "blobs/sha256/",
                               "../x",
                               "/abs",
                               "a\\b",
                               "manifests/.git/x"};
const char* const k_pax_keys[] = {"path",
                                  "size",
                                  "mtime",
                                  "linkpath",
                                  "GNU.sparse.name",
                                  "GNU.sparse.size",
                                  "hdrcharset",
                                  "uid",
                                  "SCHILY.xattr.user.x",
                                  "LIBARCHIVE.xattr.x",
                                  "comment"};
const char k_raw_types[] = {'x', 'g', 'L', 'K', 'S', 'V', 'M', 'D', '0', '5', '7', 'A'};

std::string pick_name(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(300);
  std::string name = in.PickValueInArray(k_names);
  if (name == "blobs/sha256/") name += Sha256::of(in.ConsumeRandomLengthString(8)).hex();
  return name;
}

std::string raw_extension(FuzzedDataProvider& in, const std::string& path) {
  const char type = in.PickValueInArray(k_raw_types);
  std::string body;
  if (in.ConsumeBool()) {
    for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
      const std::string key = in.ConsumeBool() ? in.PickValueInArray(k_pax_keys) : in.ConsumeRandomLengthString(20);
      body += pax_record(key, in.ConsumeBool() ? path : in.ConsumeRandomLengthString(64));
    }
  } else {
    body = in.ConsumeRandomLengthString(600);
  }
  return raw_header(type, in.ConsumeBool() ? "PaxHeader/x" : in.ConsumeRandomLengthString(100), body);
}

std::string write_tar(const std::vector<Entry>& entries, int format) {
  std::string out;
  ArchiveWritePtr a(archive_write_new());
  switch (format) {
    case 0: archive_write_set_format_pax_restricted(a.get()); break;
    case 1: archive_write_set_format_ustar(a.get()); break;
    case 2: archive_write_set_format_gnutar(a.get()); break;
    default: archive_write_set_format_pax(a.get()); break;
  }
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open2(a.get(), &out, nullptr, append, nullptr, nullptr);
  for (const auto& en : entries) {
    ArchiveEntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), en.path.c_str());
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_filetype(e.get(), en.type);
    if (en.type == AE_IFREG && !en.link.empty()) archive_entry_set_hardlink(e.get(), en.link.c_str());
    if (en.type == AE_IFLNK) archive_entry_set_symlink(e.get(), en.link.c_str());
    const bool has_data = en.type == AE_IFREG && en.link.empty();
    archive_entry_set_size(e.get(), has_data ? static_cast<la_int64_t>(en.data.size()) : 0);
    archive_write_finish_entry(a.get());
    out += en.raw_before;
    if (archive_write_header(a.get(), e.get()) < ARCHIVE_WARN) continue;  // a name this format cannot hold
    if (has_data && !en.data.empty()) archive_write_data(a.get(), en.data.data(), en.data.size());
  }
  archive_write_close(a.get());
  return out;
}

std::string compress(std::string_view bytes, int level) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const ZstdCCtxPtr cctx(ZSTD_createCCtx());
  const auto n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), bytes.data(), bytes.size(), level);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

struct Checker final : EntryHandler {
  std::map<std::string, std::string> bytes;
  std::set<std::string> verified;
  void on_data(const IndexEntry& e, std::span<const std::uint8_t> d) override {
    bytes[e.path].append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  void on_verified(const IndexEntry& e) override {
    fuzz::check(verified.insert(e.path).second, "an entry was verified twice", e.path);
    const auto& got = bytes[e.path];
    fuzz::check(got.size() == e.size && Sha256::of(got) == e.sha256, "on_verified() for bytes the index does not name",
                e.path);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const int format = in.ConsumeIntegralInRange(0, 3);
  const bool fuzzed_envelope = in.ConsumeIntegralInRange(0, 7) == 0;
  const bool swap_order = in.ConsumeIntegralInRange(0, 7) == 0;
  std::vector<Entry> entries;
  for (int n = in.ConsumeIntegralInRange(0, 6); n > 0 && in.remaining_bytes() > 0; --n) {
    Entry e;
    e.path = pick_name(in);
    switch (in.ConsumeIntegralInRange(0, 15)) {
      case 0:
        e.type = AE_IFLNK;
        e.link = in.ConsumeRandomLengthString(20);
        break;
      case 1: e.link = entries.empty() ? "oci-layout" : entries.back().path; break;  // a hard link
      case 2: e.type = AE_IFDIR; break;
      case 3: e.type = AE_IFCHR; break;
      case 4: e.type = AE_IFIFO; break;
      default: break;
    }
    e.data = in.ConsumeRandomLengthString(in.ConsumeBool() ? 64 : 70000);
    if (in.ConsumeIntegralInRange(0, 3) == 0) e.raw_before = raw_extension(in, e.path);
    e.listed = in.ConsumeIntegralInRange(0, 7) != 0;
    if (in.ConsumeIntegralInRange(0, 7) == 0) e.size_delta = in.ConsumeIntegralInRange<std::int64_t>(-3, 3);
    e.wrong_digest = in.ConsumeIntegralInRange(0, 15) == 0;
    entries.push_back(std::move(e));
  }

  // The index: the listed entries with safe, distinct paths, in archive order.
  BundleIndex index;
  index.name = "demo";
  index.version = "1";
  index.sequence = 1;
  index.created = 1700000000;
  std::set<std::string> listed;
  for (const auto& e : entries) {
    if (!e.listed || !unsafe_path_reason(e.path).empty() || e.path == k_envelope_entry || !listed.insert(e.path).second)
      continue;
    const auto listed_size = static_cast<std::uint64_t>(static_cast<std::int64_t>(e.data.size()) + e.size_delta);
    index.entries.push_back({e.path, Sha256::of(e.wrong_digest ? e.data + "x" : e.data), listed_size});
  }
  if (swap_order && index.entries.size() >= 2) std::swap(index.entries.front(), index.entries.back());
  std::string payload;
  try {
    payload = index.to_json();
    index = BundleIndex::parse(payload, "fuzz");
  } catch (const Error&) {
    return 0;  // the importer would refuse this index before reading on
  }

  Entry envelope{std::string(k_envelope_entry)};
  if (fuzzed_envelope) {
    envelope.data = in.ConsumeRandomLengthString(4096);
  } else {
    DsseEnvelope env{std::string(k_bundle_payload_type), payload, {{std::string(64, 'a'), std::string(64, 's')}}};
    envelope.data = env.to_json();
  }
  entries.insert(entries.begin(), std::move(envelope));

  std::string tar = write_tar(entries, format);
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: tar += in.ConsumeRandomLengthString(1024); break;  // trailing data
    case 1: tar.resize(tar.size() - std::min<std::size_t>(tar.size(), in.ConsumeIntegral<std::uint16_t>())); break;
    case 2: tar += std::string(in.ConsumeIntegralInRange(0, 80000), '\0'); break;  // padding
    default: break;
  }
  std::string stream = compress(tar, in.ConsumeIntegralInRange(-5, 3));
  if (in.ConsumeIntegralInRange(0, 7) == 0) stream += compress(in.ConsumeRandomLengthString(256), 1);  // a second frame
  if (in.ConsumeIntegralInRange(0, 15) == 0) stream.resize(stream.size() / 2);

  const fuzz::MemFile file(stream);
  fuzz::refusals_expected([&] {
    BundleReader reader(file.path());
    Checker handler;
    fuzz::NullProgress progress;
    // As the importer reads: up to the first blob, then the rest.
    reader.stream(index, handler, progress, [](std::string_view p) { return p.starts_with("blobs/"); });
    reader.stream(index, handler, progress);
    fuzz::check(reader.finished(), "stream() returned before the end of the archive");
    fuzz::check(handler.verified.size() == index.entries.size(), "a listed entry was never verified");
  });
  return 0;
}
