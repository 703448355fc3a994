#pragma once
// Uploads blobs to a registry while the bundle streams, so no byte is
// staged on disk: the reader hands each blob's bytes to a bounded queue
// (common/byte_chunk_queue.hpp) that a worker's streaming PUT drains. Each
// blob's last byte is held back until the reader has verified the whole
// blob, so the registry can only commit a blob whose sha256 airlock has
// checked (and it checks ?digest= itself). Several uploads overlap: while
// one finishes (the registry's own hashing, its commit), the next already
// streams.

#include "common/registry_client.hpp"

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

// Blobs up to this size are not asked for by a HEAD first: the POST that
// opens the upload asks (blob_upload's upload_blob_unless_present), one
// request fewer for each new blob. Resending one to a registry that cannot
// mount takes about as long as a request at this size.
inline constexpr std::uint64_t k_ask_by_upload_bytes = 1 << 20;

struct UploadStats {
  std::size_t uploaded = 0;
  std::size_t skipped = 0;  // already in the registry
  std::uint64_t bytes_uploaded = 0;
};

class BlobUploader {
public:
  // `buffer_bytes` bounds each blob's queue: memory stays at about
  // parallel × buffer_bytes.
  BlobUploader(RegistryClient& registry, std::size_t parallel, std::size_t buffer_bytes);
  BlobUploader(const BlobUploader&) = delete;
  BlobUploader& operator=(const BlobUploader&) = delete;
  // Abandons whatever is unfinished (a failed verification): no upload
  // in flight completes.
  ~BlobUploader();

  // The next blob of the stream: uploaded into `repository` unless the
  // registry has it there already. Blocks while `parallel` blobs already
  // wait for a worker. Throws an earlier upload's error.
  void begin(const Digest& digest, std::uint64_t size, std::string repository);
  // Bytes of the current blob, in order. Blocks while its queue is full;
  // throws the upload's error if it failed.
  void data(std::span<const std::uint8_t> bytes);
  // The current blob's bytes all matched its digest: its last byte may go.
  // Throws the upload's error if it failed.
  void verified();
  // Waits for every upload; throws the first error.
  void finish();

  [[nodiscard]] UploadStats stats() const;

private:
  struct Job;
  void work();
  void join_workers();

  RegistryClient& m_registry;
  std::size_t m_buffer_bytes;
  std::size_t m_max_waiting;  // blobs queued for a worker, at most
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::shared_ptr<Job>> m_queue;
  bool m_closed = false;
  bool m_abandoned = false;  // the destructor runs: uploads' errors are its consequence
  std::exception_ptr m_error;
  UploadStats m_stats;
  std::shared_ptr<Job> m_current;
  std::vector<std::shared_ptr<Job>> m_all;  // unfinished jobs (and the ones that finished since the last begin)
  std::vector<std::thread> m_workers;
};

}  // namespace airlock
