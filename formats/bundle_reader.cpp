#include "formats/bundle_reader.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/names.hpp"
#include "formats/tar_headers.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <utility>

namespace airlock {
namespace {

std::string type_name(archive_entry* e) {
  if (archive_entry_hardlink(e) != nullptr) return "a hard link";
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return "a regular file";
    case AE_IFLNK: return "a symbolic link";
    case AE_IFDIR: return "a directory";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a fifo";
    case AE_IFSOCK: return "a socket";
    default: return "of an unknown type";
  }
}

}  // namespace

BundleReader::BundleReader(const std::filesystem::path& bundle, ReaderLimits limits)
    : BundleReader(std::vector<std::filesystem::path>{bundle}, limits) {}

BundleReader::BundleReader(const std::vector<std::filesystem::path>& inputs, ReaderLimits limits) : m_limits(limits) {
  if (inputs.empty()) throw UsageError("no bundle given");
  std::optional<PartHeader> identity;  // read from parts: what their headers say the bundle is
  const auto& bundle = inputs.front();
  const ZstdSourceOptions zstd{.max_window_log = m_limits.max_window_log};
  std::error_code ec;
  if (inputs.size() == 1 && bundle != "-" && !std::filesystem::is_directory(bundle, ec) && !is_part_file(bundle)) {
    m_name = bundle.string();
    Fd fd(::open(bundle.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw UsageError(fmt::format("cannot open bundle {}: {}", m_name, errno_text(errno)));
    m_source = std::make_unique<ZstdSource>(std::move(fd), m_name, zstd);
  } else if (inputs.size() == 1 && bundle == "-") {
    m_name = "(stdin)";
    Fd fd(::dup(0));
    if (!fd.valid()) throw UsageError(fmt::format("cannot open bundle {}: {}", m_name, errno_text(errno)));
    m_source = std::make_unique<ZstdSource>(std::move(fd), m_name, zstd);
  } else {
    PartSet set = one_part_set(inputs, "bundle");
    identity = set.first;
    m_name = fmt::format("{}{} (parts of {} {}, set {})", printable(bundle.string()), inputs.size() > 1 ? " ..." : "",
                         set.first.release, set.first.version, set.first.set.substr(0, 12));
    m_part_status = set.status();
    auto input = std::make_unique<PartSetInput>(std::move(set));
    m_parts = input.get();
    m_source = std::make_unique<ZstdSource>(std::move(input), m_name, zstd);
  }
  open_envelope();
  // The headers name and order the set (receive goes by them): they must
  // be the bundle's.
  if (identity) {
    const auto digest = Sha256::of(m_envelope.payload);
    const auto where = fmt::format("{}: {}", m_name, k_envelope_entry);
    const auto index = BundleIndex::parse(m_envelope.payload, where);
    if (digest != identity->bundle_digest || index.name != identity->release || index.version != identity->version ||
        index.sequence != identity->sequence)
      throw VerificationError(fmt::format("{}: the parts' headers say bundle {} ({} {}, sequence {}), the bundle they "
                                          "hold is {} ({} {}, sequence {})",
                                          m_name, identity->bundle_digest.str(), identity->release, identity->version,
                                          identity->sequence, digest.str(), printable(index.name),
                                          printable(index.version), index.sequence));
  }
}

void BundleReader::open_envelope() {
  m_archive.reset(archive_read_new());
  if (!m_archive) throw Error("cannot allocate an archive reader");
  archive* a = m_archive.get();
  if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
      archive_read_open(a, this, nullptr, &BundleReader::on_read, nullptr) != ARCHIVE_OK)
    fail_archive("reading the first entry");

  archive_entry* entry = nullptr;
  std::string path;
  if (!next_header(&entry, path))
    throw VerificationError(fmt::format("{}: the archive is empty; expected {} first", m_name, k_envelope_entry));
  if (path != k_envelope_entry) reject(path, fmt::format("the first entry must be {}", k_envelope_entry));
  const auto size = static_cast<std::uint64_t>(archive_entry_size(entry));
  if (size > m_limits.max_envelope)
    reject(path, fmt::format("the envelope is {} bytes, more than the limit of {}", size, m_limits.max_envelope));
  std::string json(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const la_ssize_t n = archive_read_data(a, json.data() + got, size - got);
    if (n < 0) fail_archive(fmt::format("entry \"{}\"", path));
    if (n == 0) reject(path, "truncated");
    got += static_cast<std::size_t>(n);
  }
  m_archive_bytes += size;
  m_envelope = DsseEnvelope::parse(json, fmt::format("{}: {}", m_name, k_envelope_entry));
}

BundleReader::~BundleReader() {
  // libarchive's handle refers to the source; close it first.
  m_archive.reset();
  m_source.reset();
}

std::uint64_t BundleReader::compressed_bytes() const noexcept { return m_source->compressed_bytes(); }

std::uint64_t BundleReader::decoded_chunks() const noexcept { return m_parts ? m_parts->decoded_rows() : 0; }

la_ssize_t BundleReader::on_read(archive*, void* self, const void** buffer) {
  auto* r = static_cast<BundleReader*>(self);
  try {
    // The next call frees the chunk: keep its end, where the next entry's
    // headers may begin.
    const auto keep = std::min<std::size_t>(r->m_last_chunk.size(), r->m_limits.max_header);
    r->m_previous_tail.assign(r->m_last_chunk.end() - static_cast<std::ptrdiff_t>(keep), r->m_last_chunk.end());
    const auto chunk = r->m_source->next();
    r->m_delivered += chunk.size();
    r->m_last_chunk = chunk;
    *buffer = chunk.data();
    return static_cast<la_ssize_t>(chunk.size());
  } catch (...) {
    r->m_source_error = std::current_exception();
    return ARCHIVE_FATAL;
  }
}

void BundleReader::fail_archive(std::string_view context) {
  if (m_source_error) {
    try {
      std::rethrow_exception(m_source_error);
    } catch (const VerificationError& e) {
      throw VerificationError(fmt::format("{} ({})", e.what(), context));
    }
  }
  const char* msg = archive_error_string(m_archive.get());
  throw VerificationError(fmt::format("{}: {}: {}", m_name, context, msg ? msg : "unreadable archive"));
}

void BundleReader::reject(std::string_view path, std::string_view why) const {
  throw VerificationError(fmt::format("{}: entry \"{}\": {}", m_name, printable(path), why));
}

std::span<const std::uint8_t> BundleReader::raw(std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t chunk_start = m_delivered - m_last_chunk.size();
  const std::uint64_t tail_start = chunk_start - m_previous_tail.size();
  if (begin < tail_start || end > m_delivered || begin > end)
    throw Error(fmt::format("{}: cannot locate the headers at byte {} of the tar stream", m_name, begin));
  if (begin >= chunk_start) return m_last_chunk.subspan(begin - chunk_start, end - begin);
  const auto tail = [&](std::uint64_t at) {
    return m_previous_tail.begin() + static_cast<std::ptrdiff_t>(at - tail_start);
  };
  m_raw.assign(tail(begin), tail(std::min(end, chunk_start)));
  if (end > chunk_start) {
    const auto part = m_last_chunk.first(static_cast<std::size_t>(end - chunk_start));
    m_raw.insert(m_raw.end(), part.begin(), part.end());
  }
  return m_raw;
}

bool BundleReader::next_header(archive_entry** entry, std::string& path) {
  archive* a = m_archive.get();
  const int rc = archive_read_next_header(a, entry);
  if (rc == ARCHIVE_EOF) return false;
  if (rc != ARCHIVE_OK) fail_archive("reading the next entry header");
  const char* p = archive_entry_pathname(*entry);
  path = p ? p : "";
  // Everything from this header's first block to its data: pax and GNU
  // extension headers included.
  const auto header_bytes = static_cast<std::uint64_t>(archive_filter_bytes(a, 0) - archive_read_header_position(a));
  if (header_bytes > m_limits.max_header)
    reject(path,
           fmt::format("its headers take {} bytes, more than the limit of {}", header_bytes, m_limits.max_header));
  if (const auto why = unsafe_path_reason(path); !why.empty()) reject(path, "unsafe path: " + why);
  if (archive_entry_hardlink(*entry) != nullptr || archive_entry_filetype(*entry) != AE_IFREG)
    reject(path, fmt::format("is {}; a bundle holds only regular files", type_name(*entry)));
  const auto start = static_cast<std::uint64_t>(archive_read_header_position(a));
  if (const auto why = tar_header_problem(raw(start, start + header_bytes)); !why.empty())
    reject(path, "its tar headers hold " + why);
  if (archive_entry_sparse_count(*entry) > 0) reject(path, "is a sparse file");
  if (!archive_entry_size_is_set(*entry) || archive_entry_size(*entry) < 0) reject(path, "has no size");
  return true;
}

void BundleReader::stream(const BundleIndex& index, EntryHandler& handler, Progress& progress,
                          const std::function<bool(std::string_view path)>& stop_before) {
  if (m_finished) return;
  std::map<std::string_view, const IndexEntry*> listed;
  for (const auto& e : index.entries) listed.emplace(e.path, &e);
  if (!m_started) {
    m_started = true;
    m_seen.insert(std::string(k_envelope_entry));
    progress.begin("verify", index.total_entry_bytes());
  }
  archive* a = m_archive.get();

  archive_entry* entry = nullptr;
  std::string path;
  for (;;) {
    if (m_pending) {
      entry = std::exchange(m_pending, nullptr);
      path = std::move(m_pending_path);
    } else if (!next_header(&entry, path)) {
      break;
    }
    if (stop_before && stop_before(path)) {
      m_pending = entry;
      m_pending_path = std::move(path);
      return;
    }
    if (!m_seen.insert(path).second) reject(path, "appears twice in the archive");
    const auto it = listed.find(path);
    if (it == listed.end()) reject(path, "is not listed in the signed index");
    // The archive holds the entries in the index's order (readers rely on
    // it: the YAML and the manifests come before the blobs they name).
    if (index.entries[m_position].path != path)
      reject(index.entries[m_position].path,
             fmt::format("is listed in the signed index but missing from the archive at its place (the archive has "
                         "\"{}\" there)",
                         printable(path)));
    ++m_position;
    const IndexEntry& want = *it->second;
    const auto size = static_cast<std::uint64_t>(archive_entry_size(entry));
    if (size != want.size) reject(path, fmt::format("is {} bytes, the signed index says {}", size, want.size));

    Sha256 hash;
    std::uint64_t got = 0;
    for (;;) {
      const void* buf = nullptr;
      size_t len = 0;
      la_int64_t offset = 0;
      const int rc = archive_read_data_block(a, &buf, &len, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK) fail_archive(fmt::format("entry \"{}\" after {} of {} bytes", printable(path), got, size));
      if (static_cast<std::uint64_t>(offset) != got) reject(path, "has holes (sparse data)");
      const std::span data(static_cast<const std::uint8_t*>(buf), len);
      hash.update(data);
      handler.on_data(want, data);
      got += len;
      progress.advance(len);
    }
    if (got != want.size) reject(path, fmt::format("ended after {} of {} bytes", got, want.size));
    const Digest digest = hash.finish();
    if (digest != want.sha256)
      reject(path, fmt::format("sha256 mismatch: the signed index says {}, the content is {}", want.sha256.hex(),
                               digest.hex()));
    m_archive_bytes += got;
    handler.on_verified(want);
  }
  for (const auto& e : index.entries)
    if (!m_seen.contains(e.path)) reject(e.path, "is listed in the signed index but missing from the archive");
  check_trailer();
  m_finished = true;
  progress.end();
}

// After the end-of-archive marker only zero padding may follow, to the end
// of the zstd stream: the bytes that verify are all the bytes there are.
void BundleReader::check_trailer() {
  const auto consumed = static_cast<std::uint64_t>(archive_filter_bytes(m_archive.get(), 0));
  const auto chunk_start = m_delivered - m_last_chunk.size();
  if (consumed < chunk_start || consumed > m_delivered)
    throw Error(fmt::format("{}: cannot locate the end of the archive in the stream", m_name));
  auto rest = m_last_chunk.subspan(consumed - chunk_start);
  std::uint64_t offset = consumed;
  for (;;) {
    for (std::size_t i = 0; i < rest.size(); ++i)
      if (rest[i] != 0)
        throw VerificationError(
            fmt::format("{}: data after the end of the archive (byte {} of the tar stream)", m_name, offset + i));
    offset += rest.size();
    if (offset - consumed > m_limits.max_padding)
      throw VerificationError(
          fmt::format("{}: more than {} bytes of padding after the end of the archive", m_name, m_limits.max_padding));
    rest = m_source->next();
    m_last_chunk = {};
    if (rest.empty()) return;
  }
}

}  // namespace airlock
