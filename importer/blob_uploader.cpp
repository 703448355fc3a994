#include "importer/blob_uploader.hpp"

#include "common/byte_chunk_queue.hpp"
#include "common/error.hpp"

#include <algorithm>

namespace airlock {

struct BlobUploader::Job {
  Job(const Digest& d, std::uint64_t n, std::string repo, std::size_t buffer_bytes)
      : digest(d), size(n), repository(std::move(repo)), queue(buffer_bytes) {}

  const Digest digest;
  const std::uint64_t size;
  const std::string repository;
  // The reader pushes, the upload's body reads. The blob's last byte is
  // never pushed before verified(): the registry cannot commit it sooner.
  ByteChunkQueue queue;
  std::uint64_t given = 0;  // reader side only
  std::uint8_t last = 0;    // the held-back last byte, reader side only
  // Guarded by the uploader's mutex.
  bool done = false;
  std::exception_ptr error;
};

BlobUploader::BlobUploader(RegistryClient& registry, std::size_t parallel, std::size_t buffer_bytes)
    : m_registry(registry), m_buffer_bytes(buffer_bytes), m_max_waiting(std::max<std::size_t>(1, parallel)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, parallel); ++i) m_workers.emplace_back([this] { work(); });
}

BlobUploader::~BlobUploader() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_abandoned = true;
    for (auto& job : m_all)
      if (!job->done) job->queue.abandon();
  }
  m_cv.notify_all();
  join_workers();
}

void BlobUploader::join_workers() {
  for (auto& t : m_workers)
    if (t.joinable()) t.join();
}

void BlobUploader::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, [&] { return m_closed || !m_queue.empty(); });
      if (m_queue.empty()) return;
      job = std::move(m_queue.front());
      m_queue.pop_front();
    }
    m_cv.notify_all();  // the reader may queue the next blob
    std::exception_ptr error;
    bool skipped = false;
    try {
      UploadSource source{job->size, [&job](std::uint8_t* buf, std::size_t cap) { return job->queue.read(buf, cap); }};
      // A small blob: the request that opens its upload asks whether it is
      // there (where mounts are not supported it is sent again, which costs
      // less than a HEAD). A large one: a HEAD first.
      if (job->size <= k_ask_by_upload_bytes)
        skipped = !m_registry.put_blob_unless_present(job->repository, job->digest, source);
      else if (m_registry.has_blob(job->repository, job->digest))
        skipped = true;
      else
        m_registry.put_blob(job->repository, job->digest, source);
      if (skipped) job->queue.stop();  // the reader's bytes are dropped from now on
    } catch (...) {
      error = std::current_exception();
    }
    // The reader's next push (or verified()) rethrows it.
    if (error) job->queue.stop(error);
    std::lock_guard lock(m_mutex);
    job->done = true;
    m_cv.notify_all();
    if (error) {
      job->error = error;
      if (!m_error && !m_abandoned) m_error = error;
    } else if (skipped) {
      ++m_stats.skipped;
    } else {
      ++m_stats.uploaded;
      m_stats.bytes_uploaded += job->size;
    }
  }
}

void BlobUploader::begin(const Digest& digest, std::uint64_t size, std::string repository) {
  auto job = std::make_shared<Job>(digest, size, std::move(repository), m_buffer_bytes);
  std::unique_lock lock(m_mutex);
  // Small blobs fit their queue whole, so the reader could run any number
  // of blobs ahead of the uploads (and hold them all): at most
  // m_max_waiting wait for a worker.
  m_cv.wait(lock, [&] { return m_error || m_queue.size() < m_max_waiting; });
  if (m_error) std::rethrow_exception(m_error);
  std::erase_if(m_all, [](const std::shared_ptr<Job>& j) { return j->done; });
  m_current = job;
  m_all.push_back(job);
  m_queue.push_back(std::move(job));
  m_cv.notify_all();
}

void BlobUploader::data(std::span<const std::uint8_t> bytes) {
  Job& job = *m_current;
  if (bytes.empty()) return;
  if (job.given + bytes.size() > job.size)
    throw Error("blob uploader: more bytes than the blob's size");  // the reader checks sizes first
  job.given += bytes.size();
  if (job.given == job.size) {
    job.last = bytes.back();
    bytes = bytes.first(bytes.size() - 1);
  }
  (void)job.queue.push(bytes);  // false: the registry has it, the bytes are not needed
}

void BlobUploader::verified() {
  Job& job = *m_current;
  if (job.size > 0) (void)job.queue.push(std::span(&job.last, 1));
  job.queue.close();
  std::lock_guard lock(m_mutex);
  if (job.error) std::rethrow_exception(job.error);
}

void BlobUploader::finish() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_cv.notify_all();
  join_workers();
  m_current.reset();
  std::lock_guard lock(m_mutex);
  if (m_error) std::rethrow_exception(m_error);
}

UploadStats BlobUploader::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

}  // namespace airlock
