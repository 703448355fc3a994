#pragma once
// Decompresses a zstd stream on a worker thread into a small ring of
// buffers, so decompression and the reader's hashing run on two cores at
// once with bounded memory. Frames that ask for a window above the cap are
// refused (decompression bombs), as is a stream that ends inside a frame.

#include "common/byte_stream.hpp"
#include "common/fd.hpp"
#include "common/zstd_handles.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace airlock {

struct ZstdSourceOptions {
  int max_window_log = 24;  // 16 MiB
  std::size_t chunk_size = 1 << 20;
  std::size_t chunks = 4;
};

class ZstdSource {
public:
  ZstdSource(Fd fd, std::string name, ZstdSourceOptions options = {});
  // Compressed bytes from `input` (a part set, say), read on the decoder's
  // thread: its errors come out of next().
  ZstdSource(std::unique_ptr<ByteInput> input, std::string name, ZstdSourceOptions options = {});
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;
  ~ZstdSource();

  // The next decompressed bytes, valid until the next call; empty at the
  // end. Throws VerificationError for corrupt, truncated or oversized-window
  // input, Error for I/O failures.
  [[nodiscard]] std::span<const std::uint8_t> next();
  // Safe to call while the decoder runs.
  [[nodiscard]] std::uint64_t compressed_bytes() const noexcept { return m_compressed.load(); }

private:
  struct Chunk {
    std::vector<std::uint8_t> data;
    std::size_t used = 0;
  };
  void run() noexcept;
  void produce();
  Chunk* take_free();
  void publish(Chunk* c);

  std::unique_ptr<ByteInput> m_input;
  std::string m_name;
  ZstdSourceOptions m_options;
  std::vector<Chunk> m_chunks;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<Chunk*> m_free;
  std::deque<Chunk*> m_filled;
  Chunk* m_current = nullptr;
  bool m_done = false;
  bool m_stop = false;
  std::exception_ptr m_error;
  std::atomic<std::uint64_t> m_compressed{0};  // written by the decoder thread
  std::thread m_thread;
};

}  // namespace airlock
