#pragma once
// A bounded queue of bytes between one producer thread and one consumer
// thread: the streaming pipelines' backpressure. push() blocks while
// `capacity` bytes wait, so memory stays at `capacity` (plus the block being
// filled) however far the producer could run ahead; read()/pop() block while
// it is empty. Small pushes (TLS hands over ~16 KiB records) are gathered
// into blocks of up to `block` bytes so wake-ups and allocations stay few.
//
// Either side can end it early:
//   producer: close() (the end: the consumer drains, then sees the end),
//             fail(error) (the consumer drains, then gets `error`),
//             abandon() (the consumer sees the end at once, even after close();
//             buffered bytes are dropped);
//   consumer: stop(why) (buffered bytes are dropped; every later push returns
//             false, or rethrows `why` when one is given).

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace airlock {

class ByteChunkQueue {
public:
  static constexpr std::size_t k_default_block = 256 * 1024;

  explicit ByteChunkQueue(std::size_t capacity, std::size_t block = k_default_block)
      : m_capacity(std::max<std::size_t>(1, capacity)), m_block(std::max<std::size_t>(1, block)) {}
  ByteChunkQueue(const ByteChunkQueue&) = delete;
  ByteChunkQueue& operator=(const ByteChunkQueue&) = delete;

  // Appends `bytes`, blocking while the queue is full. False when the
  // consumer stopped (the bytes are dropped); rethrows the consumer's
  // reason when stop() was given one. Never call after close/fail/abandon.
  bool push(std::span<const std::uint8_t> bytes) {
    std::unique_lock lock(m_mutex);
    while (!bytes.empty()) {
      m_cv.wait(lock, [&] { return m_stopped || m_buffered < m_capacity; });
      if (m_stopped) {
        if (m_stop_reason) std::rethrow_exception(m_stop_reason);
        return false;
      }
      const std::size_t n = std::min(bytes.size(), m_capacity - m_buffered);
      append(bytes.first(n));
      bytes = bytes.subspan(n);
      m_buffered += n;
      m_pushed += n;
      m_cv.notify_all();
    }
    return !m_stopped;
  }

  void close() { end(State::closed, nullptr); }
  void fail(std::exception_ptr error) { end(State::failed, std::move(error)); }
  void abandon() { end(State::abandoned, nullptr); }

  // Copies up to `cap` bytes out, blocking until there are some. 0 at the
  // end or once abandoned; rethrows the producer's fail() error after the
  // bytes pushed before it.
  std::size_t read(std::uint8_t* out, std::size_t cap) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_buffered > 0 || m_state != State::open || m_stopped; });
    if (m_state == State::abandoned || m_stopped) return 0;
    if (m_buffered == 0) return end_of_stream();
    std::size_t n = 0;
    while (n < cap && !m_chunks.empty()) {
      auto& front = m_chunks.front();
      const std::size_t k = std::min(cap - n, front.size() - m_front_offset);
      std::memcpy(out + n, front.data() + m_front_offset, k);
      n += k;
      m_front_offset += k;
      if (m_front_offset == front.size()) {
        m_chunks.pop_front();
        m_front_offset = 0;
      }
    }
    m_buffered -= n;
    m_cv.notify_all();
    return n;
  }

  // Takes the next block whole, blocking until there is one; nullopt at the
  // end or once abandoned; rethrows fail()'s error after the bytes before
  // it. `on_starve` runs (without the queue's lock) when the consumer is
  // about to wait in the middle of the stream: after the first byte, before
  // the end.
  std::optional<std::vector<std::uint8_t>> pop(const std::function<void()>& on_starve = {}) {
    std::unique_lock lock(m_mutex);
    if (on_starve && m_buffered == 0 && m_state == State::open && !m_stopped && m_pushed > 0) {
      lock.unlock();
      on_starve();
      lock.lock();
    }
    m_cv.wait(lock, [&] { return m_buffered > 0 || m_state != State::open || m_stopped; });
    if (m_state == State::abandoned || m_stopped) return std::nullopt;
    if (m_buffered == 0) {
      end_of_stream();
      return std::nullopt;
    }
    std::vector<std::uint8_t> chunk = std::move(m_chunks.front());
    m_chunks.pop_front();
    if (m_front_offset > 0) {
      chunk.erase(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(m_front_offset));
      m_front_offset = 0;
    }
    m_buffered -= chunk.size();
    m_cv.notify_all();
    return chunk;
  }

  // The consumer gives up: buffered bytes are dropped and the producer's
  // pushes return false (or rethrow `why`).
  void stop(std::exception_ptr why = nullptr) {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    m_stopped = true;
    m_stop_reason = std::move(why);
    m_chunks.clear();
    m_front_offset = 0;
    m_buffered = 0;
    m_cv.notify_all();
  }

  [[nodiscard]] std::size_t buffered() const {
    std::lock_guard lock(m_mutex);
    return m_buffered;
  }
  [[nodiscard]] std::uint64_t pushed() const {
    std::lock_guard lock(m_mutex);
    return m_pushed;
  }

private:
  enum class State { open, closed, failed, abandoned };

  void end(State state, std::exception_ptr error) {
    std::lock_guard lock(m_mutex);
    // Abandoning also undoes a close whose bytes are not all read yet.
    if (m_state != State::open && !(state == State::abandoned && m_state == State::closed)) return;
    m_state = state;
    m_error = std::move(error);
    if (state == State::abandoned) {
      m_chunks.clear();
      m_front_offset = 0;
      m_buffered = 0;
    }
    m_cv.notify_all();
  }

  // Called with the lock held, the queue drained and the producer done.
  std::size_t end_of_stream() {
    if (m_state == State::failed && m_error) std::rethrow_exception(m_error);
    return 0;
  }

  void append(std::span<const std::uint8_t> bytes) {
    if (!m_chunks.empty() && (m_chunks.size() > 1 || m_front_offset == 0) &&
        m_chunks.back().size() + bytes.size() <= m_block) {
      m_chunks.back().insert(m_chunks.back().end(), bytes.begin(), bytes.end());
      return;
    }
    m_chunks.emplace_back();
    m_chunks.back().reserve(std::max(m_block, bytes.size()));
    m_chunks.back().assign(bytes.begin(), bytes.end());
  }

  const std::size_t m_capacity;
  const std::size_t m_block;
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;  // one producer and one consumer wait here
  std::deque<std::vector<std::uint8_t>> m_chunks;
  std::size_t m_front_offset = 0;  // bytes of m_chunks.front() already read
  std::size_t m_buffered = 0;
  std::uint64_t m_pushed = 0;
  State m_state = State::open;
  std::exception_ptr m_error;
  bool m_stopped = false;
  std::exception_ptr m_stop_reason;
};

}  // namespace airlock
