#include "packer/blob_prefetcher.hpp"

namespace airlock {
namespace {

struct Stopped {};  // unwinds a fetch when the writer gave up

}  // namespace

BlobPrefetcher::BlobPrefetcher(std::vector<const SourcedBlob*> blobs, std::size_t depth, std::size_t buffer_bytes)
    : m_blobs(std::move(blobs)),
      m_depth(std::max<std::size_t>(1, depth)),
      m_window(std::min<std::size_t>(m_depth, 2)),
      m_buffer_bytes(buffer_bytes) {
  m_slots.reserve(m_blobs.size());
  for (std::size_t i = 0; i < m_blobs.size(); ++i) m_slots.push_back(std::make_unique<ByteChunkQueue>(m_buffer_bytes));
  for (std::size_t i = 0; i < std::min(m_depth, m_blobs.size()); ++i) m_workers.emplace_back([this] { work(); });
}

BlobPrefetcher::~BlobPrefetcher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  for (auto& slot : m_slots) slot->stop();
  m_cv.notify_all();
  for (auto& t : m_workers) t.join();
}

void BlobPrefetcher::work() noexcept {
  for (;;) {
    std::size_t i = 0;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, [&] { return m_stop || m_next_claim >= m_blobs.size() || m_next_claim < m_consumer + m_window; });
      if (m_stop || m_next_claim >= m_blobs.size()) return;
      i = m_next_claim++;
    }
    ByteChunkQueue& slot = *m_slots[i];
    try {
      m_blobs[i]->stream([&](std::span<const std::uint8_t> data) {
        if (!slot.push(data)) throw Stopped{};
      });
      slot.close();
    } catch (const Stopped&) {
      return;
    } catch (...) {
      slot.fail(std::current_exception());
    }
  }
}

void BlobPrefetcher::stream(std::size_t i, const ByteSink& sink) {
  ByteChunkQueue& slot = *m_slots.at(i);
  const auto starved = [&] {
    // The writer waits mid-blob: the network, not compression, is the
    // bottleneck, so one more fetch may run ahead.
    std::lock_guard lock(m_mutex);
    if (m_window < m_depth) {
      ++m_window;
      m_cv.notify_all();
    }
  };
  const auto next_blob = [&] {
    std::lock_guard lock(m_mutex);
    m_consumer = i + 1;
    m_cv.notify_all();  // a fetcher may claim the next blob
  };
  try {
    while (auto chunk = slot.pop(starved)) sink(*chunk);
  } catch (...) {
    next_blob();
    throw;
  }
  next_blob();
}

}  // namespace airlock
