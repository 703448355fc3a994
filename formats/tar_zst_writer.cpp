#include "formats/tar_zst_writer.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace airlock {

TarZstWriter::TarZstWriter(ByteOutput& out, std::string name, TarZstOptions options)
    : TarZstWriter(-1, std::move(name), options) {
  m_sink = &out;
}

TarZstWriter::TarZstWriter(int fd, std::string name, TarZstOptions options)
    : m_fd(fd),
      m_name(std::move(name)),
      m_options(options),
      m_cctx(ZSTD_createCCtx()),
      m_archive(archive_write_new()),
      m_out(ZSTD_CStreamOutSize()) {
  if (!m_cctx || !m_archive) throw Error("cannot allocate the bundle writer");
  const int workers = m_options.workers > 0 ? m_options.workers
                                            : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, 4U));
  ZSTD_CCtx_setParameter(m_cctx.get(), ZSTD_c_compressionLevel, m_options.level);
  ZSTD_CCtx_setParameter(m_cctx.get(), ZSTD_c_checksumFlag, 1);
  // A libzstd built without threads refuses this; compression still works.
  if (!ZSTD_isError(ZSTD_CCtx_setParameter(m_cctx.get(), ZSTD_c_nbWorkers, workers)))
    // zstd's default job is 4 windows (8 MiB at level 3), buffered several
    // times over; 1 MiB jobs keep pack within its memory budget (measured:
    // 61 -> 44 MiB peak with 2 workers) at the same speed and ratio for
    // already-compressed layers.
    (void)ZSTD_CCtx_setParameter(m_cctx.get(), ZSTD_c_jobSize, 1 << 20);

  archive* a = m_archive.get();
  // pax only where ustar cannot say it (long names, huge sizes).
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
      archive_write_open2(a, this, nullptr, &TarZstWriter::on_write, nullptr, nullptr) != ARCHIVE_OK)
    fail("cannot start the archive");
}

// An unfinished writer (an error unwound the pack) is abandoned: freeing
// the archive would otherwise close it, writing the tar trailer through
// on_write into this half-destroyed object and onto the fd.
TarZstWriter::~TarZstWriter() {
  m_abandoned = true;
  m_archive.reset();
}

void TarZstWriter::fail(std::string_view what) {
  if (m_error) std::rethrow_exception(m_error);
  throw Error(
      fmt::format("{}: {}: {}", m_name, what,
                  archive_error_string(m_archive.get()) ? archive_error_string(m_archive.get()) : "unknown error"));
}

la_ssize_t TarZstWriter::on_write(archive*, void* self, const void* buf, size_t len) {
  auto* w = static_cast<TarZstWriter*>(self);
  if (w->m_abandoned) return static_cast<la_ssize_t>(len);
  try {
    w->compress(buf, len, ZSTD_e_continue);
    return static_cast<la_ssize_t>(len);
  } catch (...) {
    w->m_error = std::current_exception();
    return -1;
  }
}

void TarZstWriter::compress(const void* data, std::size_t len, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{data, len, 0};
  for (;;) {
    ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
    const std::size_t rc = ZSTD_compressStream2(m_cctx.get(), &out, &in, mode);
    if (ZSTD_isError(rc)) throw Error(fmt::format("{}: zstd: {}", m_name, ZSTD_getErrorName(rc)));
    const auto* p = m_out.data();
    std::size_t left = out.pos;
    if (m_sink && left > 0) {
      m_sink->write(std::span(p, left));
      left = 0;
    }
    while (left > 0) {
      const ssize_t n = ::write(m_fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(fmt::format("cannot write {}: {}", m_name, errno_text(errno)));
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    m_compressed += out.pos;
    const bool input_done = in.pos == in.size;
    if (mode == ZSTD_e_continue ? input_done : rc == 0) break;
  }
}

void TarZstWriter::begin_entry(std::string_view path, std::uint64_t size) {
  if (m_remaining != 0 || !m_entry.empty())
    throw Error(fmt::format("{}: entry {} started before {} ended", m_name, path, m_entry));
  ArchiveEntryPtr e(archive_entry_new());
  const std::string p(path);
  archive_entry_set_pathname(e.get(), p.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e.get(), m_options.mtime, 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  if (archive_write_header(m_archive.get(), e.get()) != ARCHIVE_OK)
    fail(fmt::format("cannot write the header of {}", path));
  m_entry = p;
  m_remaining = size;
}

void TarZstWriter::write(std::span<const std::uint8_t> data) {
  if (data.size() > m_remaining) throw Error(fmt::format("{}: entry {} got more bytes than its size", m_name, m_entry));
  while (!data.empty()) {
    const la_ssize_t n = archive_write_data(m_archive.get(), data.data(), data.size());
    if (n <= 0) fail(fmt::format("cannot write entry {}", m_entry));
    data = data.subspan(static_cast<std::size_t>(n));
    m_remaining -= static_cast<std::uint64_t>(n);
  }
}

void TarZstWriter::end_entry() {
  if (m_remaining != 0) throw Error(fmt::format("{}: entry {} ended {} bytes short", m_name, m_entry, m_remaining));
  if (archive_write_finish_entry(m_archive.get()) != ARCHIVE_OK) fail(fmt::format("cannot finish entry {}", m_entry));
  m_entry.clear();
}

void TarZstWriter::add(std::string_view path, std::string_view data) {
  begin_entry(path, data.size());
  write(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  end_entry();
}

void TarZstWriter::finish() {
  if (archive_write_close(m_archive.get()) != ARCHIVE_OK) fail("cannot finish the archive");
  compress(nullptr, 0, ZSTD_e_end);
}

}  // namespace airlock
