#pragma once
// The safe streaming reader of a bundle. It is the only parser of bundle
// bytes: what it hashes is what it hands on, once, in one pass.
//
// The first entry must be the DSSE envelope (at most 1 MiB). After the
// caller has decided trust and parsed the index from the envelope's
// payload, stream() walks the rest and rejects, before anything reaches the
// handler's on_verified(): an entry the index does not list, a duplicate,
// an unsafe path, anything but a regular file, a header over the cap, a
// size other than the index's, a digest mismatch, truncation; and at the
// end, a listed entry that never came.

#include "common/archive_handles.hpp"
#include "common/progress.hpp"
#include "formats/bundle_index.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/part_set.hpp"
#include "formats/zstd_source.hpp"

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace airlock {

struct ReaderLimits {
  std::uint64_t max_envelope = 1024 * 1024;
  std::uint64_t max_header = 64 * 1024;  // all header blocks of one entry, pax included
  int max_window_log = 24;
  // Zero bytes allowed after the end-of-archive marker: tar writers pad to
  // a record (GNU tar's default is 10240 bytes); more is only a way to
  // burn the reader's CPU.
  std::uint64_t max_padding = 64 * 1024;
};

class EntryHandler {
public:
  virtual ~EntryHandler() = default;
  // Bytes of `entry` as they pass, not yet verified.
  virtual void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) = 0;
  // The entry's every byte matched the index's size and sha256.
  virtual void on_verified(const IndexEntry& entry) = 0;
};

class BundleReader {
public:
  // Opens `bundle` ("-" for standard input) and reads the envelope.
  // Throws UsageError when it cannot be opened, VerificationError when the
  // first entry is not a sound envelope.
  explicit BundleReader(const std::filesystem::path& bundle, ReaderLimits limits = {});
  // One bundle file or "-", or the parts of one (a directory of them, or
  // part files: formats/part_set.hpp), read in the same single pass. For
  // parts: UsageError when there are none, or parts of several sets;
  // VerificationError naming the groups and parts when they do not decode.
  explicit BundleReader(const std::vector<std::filesystem::path>& inputs, ReaderLimits limits = {});
  BundleReader(const BundleReader&) = delete;
  BundleReader& operator=(const BundleReader&) = delete;
  ~BundleReader();

  [[nodiscard]] const DsseEnvelope& envelope() const noexcept { return m_envelope; }
  [[nodiscard]] const std::string& name() const noexcept { return m_name; }

  // Reads the remaining entries against `index`, up to the first one whose
  // path `stop_before` accepts (left for the next call), else to the end of
  // the archive, where it also checks that every listed entry came and that
  // nothing but padding follows. Throws VerificationError naming the bundle
  // and the entry.
  void stream(const BundleIndex& index, EntryHandler& handler, Progress& progress,
              const std::function<bool(std::string_view path)>& stop_before = {});
  // The whole archive has been read.
  [[nodiscard]] bool finished() const noexcept { return m_finished; }

  [[nodiscard]] std::uint64_t compressed_bytes() const noexcept;
  // Read from parts: their status as found, before reading (per group:
  // present, missing, damaged), and the chunks decoded from parity so far.
  [[nodiscard]] const std::optional<std::vector<PartGroupStatus>>& part_status() const noexcept {
    return m_part_status;
  }
  [[nodiscard]] std::uint64_t decoded_chunks() const noexcept;
  [[nodiscard]] std::uint64_t archive_bytes() const noexcept { return m_archive_bytes; }

private:
  static la_ssize_t on_read(archive* a, void* self, const void** buffer);
  void check_trailer();
  // Next header, with the checks that need no index; false at the end.
  bool next_header(archive_entry** entry, std::string& path);
  // The raw bytes of the stream from `begin` to `end` (at most max_header,
  // in the chunk libarchive holds or the tail kept of the one before).
  [[nodiscard]] std::span<const std::uint8_t> raw(std::uint64_t begin, std::uint64_t end);
  [[noreturn]] void fail_archive(std::string_view context);
  [[noreturn]] void reject(std::string_view path, std::string_view why) const;

  void open_envelope();

  std::string m_name;
  ReaderLimits m_limits;
  std::optional<std::vector<PartGroupStatus>> m_part_status;
  const PartSetInput* m_parts = nullptr;  // owned by m_source
  std::unique_ptr<ZstdSource> m_source;
  ArchiveReadPtr m_archive;
  std::exception_ptr m_source_error;
  DsseEnvelope m_envelope;
  std::uint64_t m_archive_bytes = 0;
  std::uint64_t m_delivered = 0;               // decompressed bytes handed to libarchive
  std::span<const std::uint8_t> m_last_chunk;  // the chunk libarchive holds
  std::vector<std::uint8_t> m_previous_tail;   // the end of the chunk before it
  std::vector<std::uint8_t> m_raw;             // header bytes that straddled two chunks
  std::set<std::string> m_seen;                // entries read so far
  std::size_t m_position = 0;                  // entries of the index read so far
  archive_entry* m_pending = nullptr;          // a header read but left for the next stream()
  std::string m_pending_path;
  bool m_started = false;
  bool m_finished = false;
};

}  // namespace airlock
