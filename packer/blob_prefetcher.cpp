#include "packer/blob_prefetcher.hpp"

namespace airlock {
namespace {

struct Stopped {};  // unwinds a fetch when the writer gave up

constexpr std::size_t k_block = 256 * 1024;

}  // namespace

BlobPrefetcher::BlobPrefetcher(std::vector<const SourcedBlob*> blobs, std::size_t depth, std::size_t buffer_bytes)
    : m_blobs(std::move(blobs)), m_depth(std::max<std::size_t>(1, depth)), m_window(std::min<std::size_t>(m_depth, 2)),
      m_buffer_bytes(buffer_bytes),
      m_slots(m_blobs.size()) {
  for (std::size_t i = 0; i < std::min(m_depth, m_blobs.size()); ++i) m_workers.emplace_back([this] { work(); });
}

BlobPrefetcher::~BlobPrefetcher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
    for (auto& slot : m_slots) slot.cv.notify_all();
  }
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
    Slot& slot = m_slots[i];
    try {
      m_blobs[i]->stream([&](std::span<const std::uint8_t> data) {
        std::unique_lock lock(m_mutex);
        slot.cv.wait(lock, [&] { return m_stop || slot.buffered < m_buffer_bytes; });
        if (m_stop) throw Stopped{};
        // TLS hands over ~16 KiB records: gather them into larger blocks
        // so the writer's wake-ups and allocations stay few.
        const bool append = !slot.chunks.empty() && slot.chunks.back().size() + data.size() <= k_block;
        if (append) {
          slot.chunks.back().insert(slot.chunks.back().end(), data.begin(), data.end());
        } else {
          slot.chunks.emplace_back();
          slot.chunks.back().reserve(std::max(k_block, data.size()));
          slot.chunks.back().assign(data.begin(), data.end());
        }
        slot.buffered += data.size();
        slot.received += data.size();
        if (!append) slot.cv.notify_one();
      });
    } catch (const Stopped&) {
      return;
    } catch (...) {
      std::lock_guard lock(m_mutex);
      slot.error = std::current_exception();
    }
    {
      std::lock_guard lock(m_mutex);
      slot.done = true;
    }
    slot.cv.notify_one();
  }
}

void BlobPrefetcher::stream(std::size_t i, const ByteSink& sink) {
  Slot& slot = m_slots.at(i);
  for (;;) {
    std::vector<std::uint8_t> chunk;
    {
      std::unique_lock lock(m_mutex);
      if (slot.chunks.empty() && !slot.done && slot.received > 0 && m_window < m_depth) {
        ++m_window;  // starved mid-blob: the network is the bottleneck
        m_cv.notify_all();
      }
      slot.cv.wait(lock, [&] { return !slot.chunks.empty() || slot.done; });
      if (slot.chunks.empty()) {
        m_consumer = i + 1;
        m_cv.notify_all();  // a fetcher may claim the next blob
        if (slot.error) std::rethrow_exception(slot.error);
        return;
      }
      chunk = std::move(slot.chunks.front());
      slot.chunks.pop_front();
      slot.buffered -= chunk.size();
    }
    slot.cv.notify_one();
    sink(chunk);
  }
}

}  // namespace airlock
