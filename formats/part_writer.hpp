#pragma once
// Writes a bundle's bytes as parts with parity (docs/FORMAT.md section 15),
// as they come: the bytes of a group are striped across its data parts a
// chunk at a time (a stripe is one chunk of each), and each stripe's
// parity chunks are computed as soon as it is full, so memory is one stripe
// whatever the sizes. Parts are written under hidden temporary names and
// renamed to theirs only by finish(): a failure leaves nothing that looks
// like a part.

#include "common/byte_stream.hpp"
#include "common/fd.hpp"
#include "common/reed_solomon.hpp"
#include "formats/part_header.hpp"

#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

namespace airlock {

struct PartLayout {
  std::uint64_t part_size = 0;  // bytes of each part file at most
  int data_parts = 10;          // per group
  int parity_parts = 1;         // per group: any this many of a group's parts may be lost
};

// The rows (chunks) a part of `part_size` bytes holds. UsageError naming
// the smallest size when not one, or when the shape is not 1 to 255 parts.
[[nodiscard]] std::uint64_t part_rows(const PartLayout& layout);

struct PartIdentity {
  Digest bundle_digest;
  std::string release;
  std::string version;
  std::uint64_t sequence = 0;
};

class PartWriter final : public ByteOutput {
public:
  // `dir` must exist. Throws UsageError for a bad layout.
  PartWriter(std::filesystem::path dir, PartLayout layout, PartIdentity identity);
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;
  ~PartWriter() override;

  void write(std::span<const std::uint8_t> data) override;
  // The same without a copy: space() is where the next bytes go (the rest
  // of the stripe being filled); wrote(n) takes the first n of them.
  [[nodiscard]] std::span<std::uint8_t> space();
  void wrote(std::size_t n);
  // The last stripe padded and encoded, every header written (it holds the
  // bundle's size and the number of groups), every part synced and renamed.
  // Returns the part files in name order.
  std::vector<std::filesystem::path> finish();

private:
  struct OpenPart {
    std::filesystem::path temp;
    std::filesystem::path final_path;
    Fd fd;
  };
  // Writes a stripe's chunks on the writer thread while the next one fills.
  struct WriteJob {
    const std::uint8_t* stripe = nullptr;
    std::vector<std::array<std::uint8_t, 32>> digests;
    std::vector<int> fds;
    std::vector<std::filesystem::path> names;
  };
  void open_group();
  void flush_stripe();
  void close_group();
  void submit(WriteJob job);
  void drain();  // waits until the writer is idle; rethrows its error
  void write_job(const WriteJob& job);
  void writer_loop();

  std::filesystem::path m_dir;
  PartLayout m_layout;
  PartIdentity m_identity;
  std::string m_set;
  std::uint64_t m_rows_max = 0;
  ReedSolomon m_rs;
  std::array<std::vector<std::uint8_t>, 2> m_stripes;  // data chunks, then parity chunks: one fills, one is written
  std::size_t m_current = 0;
  std::size_t m_filled = 0;  // bytes of the stripe's data chunks
  std::uint64_t m_total = 0;
  std::uint64_t m_group_offset = 0;
  std::uint64_t m_group_rows = 0;
  std::vector<OpenPart> m_open;       // this group's
  std::vector<PartHeader> m_headers;  // every part's, filled in by finish()
  std::vector<OpenPart> m_closed;     // every earlier group's, reopened by finish()
  bool m_finished = false;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::optional<WriteJob> m_job;  // guarded by m_mutex
  bool m_stop = false;            // guarded by m_mutex
  std::exception_ptr m_error;     // guarded by m_mutex
  std::thread m_writer;
};

}  // namespace airlock
