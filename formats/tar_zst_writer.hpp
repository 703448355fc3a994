#pragma once
// Writes a bundle's archive: pax tar framing from libarchive, compressed with
// libzstd's streaming API so compression runs on worker threads (libarchive
// 3.6's own zstd filter has none). Entries stream; nothing is staged.

#include "common/archive_handles.hpp"
#include "common/byte_stream.hpp"
#include "common/zstd_handles.hpp"

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct TarZstOptions {
  int level = 3;
  int workers = 0;         // 0: one per core, at most 4 (memory grows per worker)
  std::int64_t mtime = 0;  // every entry's mtime, so output is reproducible
};

class TarZstWriter {
public:
  // Writes to `fd` (not owned); `name` is used in messages. Throws Error.
  TarZstWriter(int fd, std::string name, TarZstOptions options);
  // Writes to `out` (not owned), parts with parity, say.
  TarZstWriter(ByteOutput& out, std::string name, TarZstOptions options);
  TarZstWriter(const TarZstWriter&) = delete;
  TarZstWriter& operator=(const TarZstWriter&) = delete;
  ~TarZstWriter();

  void add(std::string_view path, std::string_view data);
  // A streamed entry: exactly `size` bytes must follow through write().
  void begin_entry(std::string_view path, std::uint64_t size);
  void write(std::span<const std::uint8_t> data);
  void end_entry();
  // Writes the tar trailer and ends the zstd frame.
  void finish();

  [[nodiscard]] std::uint64_t compressed_bytes() const noexcept { return m_compressed; }

private:
  static la_ssize_t on_write(archive* a, void* self, const void* buf, size_t len);
  void compress(const void* data, std::size_t len, ZSTD_EndDirective mode);
  [[noreturn]] void fail(std::string_view what);

  int m_fd = -1;
  ByteOutput* m_sink = nullptr;
  std::string m_name;
  TarZstOptions m_options;
  ZstdCCtxPtr m_cctx;
  ArchiveWritePtr m_archive;
  std::vector<std::uint8_t> m_out;
  std::uint64_t m_compressed = 0;
  std::exception_ptr m_error;
  std::string m_entry;
  std::uint64_t m_remaining = 0;
  bool m_abandoned = false;
};

}  // namespace airlock
