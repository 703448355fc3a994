#include "importer/blob_uploader.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cstring>

namespace airlock {

struct BlobUploader::Job {
  Digest digest;
  std::uint64_t size = 0;
  std::string repository;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::vector<std::uint8_t>> chunks;
  std::size_t front_offset = 0;  // bytes of chunks.front() already read
  std::size_t buffered = 0;
  std::uint64_t taken = 0;
  bool verified = false;
  bool discard = false;  // the registry has it: bytes are dropped
  bool abandoned = false;
  bool done = false;
  std::exception_ptr error;

  [[nodiscard]] std::uint64_t allowed() const { return verified || size == 0 ? size : size - 1; }

  // The worker's side: blocks for bytes; never hands out the last byte
  // before the reader has verified the blob.
  std::size_t read(std::uint8_t* out, std::size_t cap) {
    std::unique_lock lock(mutex);
    for (;;) {
      if (abandoned) return 0;
      if (buffered > 0 && taken < allowed()) break;
      cv.wait(lock);
    }
    std::size_t n = 0;
    const auto limit = static_cast<std::size_t>(std::min<std::uint64_t>(cap, allowed() - taken));
    while (n < limit && !chunks.empty()) {
      auto& front = chunks.front();
      const std::size_t k = std::min(limit - n, front.size() - front_offset);
      std::memcpy(out + n, front.data() + front_offset, k);
      n += k;
      front_offset += k;
      if (front_offset == front.size()) {
        chunks.pop_front();
        front_offset = 0;
      }
    }
    buffered -= n;
    taken += n;
    cv.notify_all();
    return n;
  }
};

BlobUploader::BlobUploader(RegistryClient& registry, std::size_t parallel, std::size_t buffer_bytes)
    : m_registry(registry), m_buffer_bytes(buffer_bytes) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, parallel); ++i) m_workers.emplace_back([this] { work(); });
}

BlobUploader::~BlobUploader() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    for (auto& job : m_all) {
      std::lock_guard job_lock(job->mutex);
      if (!job->done) job->abandoned = true;
      job->cv.notify_all();
    }
  }
  m_cv.notify_all();
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
    std::exception_ptr error;
    bool skipped = false;
    try {
      if (m_registry.has_blob(job->repository, job->digest)) {
        skipped = true;
        std::lock_guard lock(job->mutex);
        job->discard = true;
        job->chunks.clear();
        job->buffered = 0;
        job->cv.notify_all();
      } else {
        UploadSource source{job->size, [&job](std::uint8_t* buf, std::size_t cap) { return job->read(buf, cap); }};
        m_registry.put_blob(job->repository, job->digest, source);
      }
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(m_mutex);
    {
      std::lock_guard job_lock(job->mutex);
      job->done = true;
      if (error && !job->abandoned) job->error = error;
      job->cv.notify_all();
    }
    if (error) {
      if (!m_error && !job->abandoned) m_error = error;
    } else if (skipped) {
      ++m_stats.skipped;
    } else {
      ++m_stats.uploaded;
      m_stats.bytes_uploaded += job->size;
    }
  }
}

void BlobUploader::begin(const Digest& digest, std::uint64_t size, std::string repository) {
  auto job = std::make_shared<Job>();
  job->digest = digest;
  job->size = size;
  job->repository = std::move(repository);
  std::lock_guard lock(m_mutex);
  if (m_error) std::rethrow_exception(m_error);
  m_current = job;
  m_all.push_back(job);
  m_queue.push_back(std::move(job));
  m_cv.notify_one();
}

void BlobUploader::fail_if_broken(Job& job) {
  if (job.error) std::rethrow_exception(job.error);
}

void BlobUploader::data(std::span<const std::uint8_t> bytes) {
  Job& job = *m_current;
  std::unique_lock lock(job.mutex);
  while (!bytes.empty()) {
    fail_if_broken(job);
    if (job.discard || job.done) return;
    job.cv.wait(lock, [&] { return job.buffered < m_buffer_bytes || job.discard || job.done || job.error; });
    if (job.discard || job.done || job.error) continue;
    const std::size_t n = std::min(bytes.size(), m_buffer_bytes - job.buffered);
    job.chunks.emplace_back(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    job.buffered += n;
    bytes = bytes.subspan(n);
    job.cv.notify_all();
  }
}

void BlobUploader::verified() {
  Job& job = *m_current;
  std::lock_guard lock(job.mutex);
  fail_if_broken(job);
  job.verified = true;
  job.cv.notify_all();
}

void BlobUploader::finish() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_cv.notify_all();
  for (auto& t : m_workers)
    if (t.joinable()) t.join();
  m_current.reset();
  if (m_error) std::rethrow_exception(m_error);
}

UploadStats BlobUploader::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

}  // namespace airlock
