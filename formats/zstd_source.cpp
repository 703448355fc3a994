#include "formats/zstd_source.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <zstd_errors.h>
#include <unistd.h>

#include <cerrno>

namespace airlock {

ZstdSource::ZstdSource(Fd fd, std::string name, ZstdSourceOptions options)
    : ZstdSource(std::make_unique<FdInput>(std::move(fd), name), name, options) {}

ZstdSource::ZstdSource(std::unique_ptr<ByteInput> input, std::string name, ZstdSourceOptions options)
    : m_input(std::move(input)), m_name(std::move(name)), m_options(options), m_chunks(options.chunks) {
  for (auto& c : m_chunks) {
    c.data.resize(m_options.chunk_size);
    m_free.push_back(&c);
  }
  m_thread = std::thread([this] { run(); });
}

ZstdSource::~ZstdSource() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

ZstdSource::Chunk* ZstdSource::take_free() {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return m_stop || !m_free.empty(); });
  if (m_stop) return nullptr;
  Chunk* c = m_free.front();
  m_free.pop_front();
  c->used = 0;
  return c;
}

void ZstdSource::publish(Chunk* c) {
  {
    std::lock_guard lock(m_mutex);
    m_filled.push_back(c);
  }
  m_cv.notify_all();
}

void ZstdSource::run() noexcept {
  try {
    produce();
  } catch (...) {
    std::lock_guard lock(m_mutex);
    m_error = std::current_exception();
  }
  {
    std::lock_guard lock(m_mutex);
    m_done = true;
  }
  m_cv.notify_all();
}

void ZstdSource::produce() {
  ZstdDCtxPtr dctx(ZSTD_createDCtx());
  if (!dctx) throw Error("cannot allocate a zstd decoder");
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, m_options.max_window_log);
  std::vector<std::uint8_t> in_buf(ZSTD_DStreamInSize());
  Chunk* chunk = take_free();
  if (!chunk) return;
  std::size_t last_rc = 0;
  bool any_input = false;
  // The first four bytes of every frame, to refuse skippable frames: zstd
  // skips their content silently, so a "verified" file could carry bytes
  // nobody checked across the diode. They may straddle two reads.
  std::uint32_t magic = 0;
  std::size_t magic_bytes = 0;    // 4 once the current frame's magic is known
  std::uint64_t frame_start = 0;  // offsets in the compressed stream
  std::uint64_t consumed = 0;     // what the decoder took
  std::uint64_t buffer_start = 0;
  const auto check_magic = [&](const ZSTD_inBuffer& in) {
    for (auto i = static_cast<std::size_t>(frame_start + magic_bytes - buffer_start); magic_bytes < 4 && i < in.size;
         ++i)
      magic |= static_cast<std::uint32_t>(static_cast<const std::uint8_t*>(in.src)[i]) << (8 * magic_bytes++);
    if (magic_bytes == 4 && (magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)
      throw VerificationError(fmt::format("{}: a zstd skippable frame at byte {}: its content would be carried "
                                          "unverified; refused",
                                          m_name, frame_start));
  };
  for (;;) {
    const std::size_t n = m_input->read(in_buf);
    if (n == 0) break;
    any_input = true;
    buffer_start = m_compressed;
    m_compressed += static_cast<std::uint64_t>(n);
    ZSTD_inBuffer in{in_buf.data(), static_cast<std::size_t>(n), 0};
    while (in.pos < in.size) {
      if (magic_bytes < 4) check_magic(in);
      ZSTD_outBuffer out{chunk->data.data(), chunk->data.size(), chunk->used};
      const std::size_t before = in.pos;
      last_rc = ZSTD_decompressStream(dctx.get(), &out, &in);
      consumed += in.pos - before;
      if (ZSTD_isError(last_rc)) {
        const auto code = ZSTD_getErrorCode(last_rc);
        if (code == ZSTD_error_frameParameter_windowTooLarge)
          throw VerificationError(
              fmt::format("{}: zstd frame needs a window larger than {} MiB: refused (decompression bomb "
                          "guard)",
                          m_name, (1U << m_options.max_window_log) >> 20));
        throw VerificationError(fmt::format("{}: not a valid zstd stream: {}", m_name, ZSTD_getErrorName(last_rc)));
      }
      chunk->used = out.pos;
      if (last_rc == 0) {  // a frame ended: the next byte starts another
        magic = 0;
        magic_bytes = 0;
        frame_start = consumed;
      }
      if (chunk->used == chunk->data.size()) {
        publish(chunk);
        chunk = take_free();
        if (!chunk) return;
      }
    }
  }
  if (!any_input) throw VerificationError(fmt::format("{}: empty file", m_name));
  // Flush what the decoder still holds after the last input.
  while (last_rc != 0) {
    ZSTD_inBuffer in{nullptr, 0, 0};
    ZSTD_outBuffer out{chunk->data.data(), chunk->data.size(), chunk->used};
    const std::size_t before = out.pos;
    last_rc = ZSTD_decompressStream(dctx.get(), &out, &in);
    if (ZSTD_isError(last_rc))
      throw VerificationError(fmt::format("{}: not a valid zstd stream: {}", m_name, ZSTD_getErrorName(last_rc)));
    chunk->used = out.pos;
    if (last_rc != 0 && out.pos == before)
      throw VerificationError(fmt::format("{}: truncated: the zstd stream ends inside a frame", m_name));
    if (chunk->used == chunk->data.size()) {
      publish(chunk);
      chunk = take_free();
      if (!chunk) return;
    }
  }
  if (chunk->used > 0) publish(chunk);
}

std::span<const std::uint8_t> ZstdSource::next() {
  std::unique_lock lock(m_mutex);
  if (m_current) {
    m_free.push_back(m_current);
    m_current = nullptr;
    m_cv.notify_all();
  }
  m_cv.wait(lock, [&] { return !m_filled.empty() || m_done; });
  if (!m_filled.empty()) {
    m_current = m_filled.front();
    m_filled.pop_front();
    return {m_current->data.data(), m_current->used};
  }
  if (m_error) std::rethrow_exception(m_error);
  return {};
}

}  // namespace airlock
