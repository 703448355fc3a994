#pragma once
// Overlaps blob fetches while the archive keeps the index's order: worker
// threads run up to `depth` blobs ahead of the writer, each into a bounded
// buffer (a full buffer blocks its fetch, so the network applies
// backpressure and memory stays at depth × buffer_bytes).
//
// The window starts at two (the next blob's request overlaps the current
// blob's tail) and widens toward `depth` each time the writer waits in the
// middle of a blob, that is when the network, not compression, is the
// bottleneck. When compression is (a fast local registry), more fetches
// only compete with it for the cores.

#include "common/byte_chunk_queue.hpp"
#include "packer/image_source.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace airlock {

class BlobPrefetcher {
public:
  BlobPrefetcher(std::vector<const SourcedBlob*> blobs, std::size_t depth, std::size_t buffer_bytes);
  BlobPrefetcher(const BlobPrefetcher&) = delete;
  BlobPrefetcher& operator=(const BlobPrefetcher&) = delete;
  ~BlobPrefetcher();

  // Hands blob `i`'s bytes to `sink` on the calling thread; call for
  // i = 0, 1, 2, ... in order. Rethrows the fetch's exception.
  void stream(std::size_t i, const ByteSink& sink);

private:
  void work() noexcept;

  std::vector<const SourcedBlob*> m_blobs;
  std::size_t m_depth;
  std::size_t m_window;  // how far ahead fetches may run now; grows to m_depth
  std::size_t m_buffer_bytes;
  // One queue per blob: its fetcher pushes, the writer pops.
  std::vector<std::unique_ptr<ByteChunkQueue>> m_slots;
  std::mutex m_mutex;            // guards the claims and the window
  std::condition_variable m_cv;  // claims of the next blob
  std::size_t m_next_claim = 0;  // next blob a worker may take
  std::size_t m_consumer = 0;    // blob the writer is on
  bool m_stop = false;
  std::vector<std::thread> m_workers;
};

}  // namespace airlock
