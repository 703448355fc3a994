#pragma once
// One keep-alive HTTP connection of the transport (a cpp-httplib client),
// with a guard on every byte that crosses it. cpp-httplib 0.11 reads a
// response's header block whole, with no cap but 8 KiB per line (checked
// after the line is in memory), and its per-read timeout never fires for a
// peer that sends a byte every few seconds. So the connection replaces the
// library's socket stream with its own (the client's process_socket hook):
//   - the status line and headers of a response are capped in bytes and
//     lines (k_max_response_header_bytes, k_max_response_headers), and so is
//     any line read byte by byte (a chunk-size line);
//   - a transfer that goes `stall_timeout` without `stall_min_bytes`
//     moving (counted from the last time they had) has stalled, whichever
//     way the bytes go;
//   - writes never raise SIGPIPE on plain sockets (MSG_NOSIGNAL; OpenSSL
//     writes with write(2): the programs ignore SIGPIPE at start-up).
// When the guard cuts a connection, the read or write fails, httplib reports
// a read or write error, and `problem()` says why.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace httplib {
class ClientImpl;
}

namespace airlock {

struct ConnectionLimits {
  std::chrono::milliseconds stall_timeout{60000};
  std::size_t stall_min_bytes = 1024;
  std::size_t max_header_bytes = 256 * 1024;
  std::size_t max_headers = 256;
};

// What the stream of one request reports to the transport. Only the thread
// that owns the connection touches it.
class ConnectionGuard {
public:
  explicit ConnectionGuard(ConnectionLimits limits) : m_limits(limits) {}

  // A new request: no problem, a fresh progress window.
  void begin();
  void restart_window();
  // Time spent outside the connection (a sink that waited for its reader,
  // a source that waited for its bytes) is not the peer's: the window is
  // moved on by that long.
  void exclude(std::chrono::steady_clock::duration spent) { m_window_start += spent; }
  // Counts bytes that moved; false (and a problem) when the window ended
  // with too few.
  [[nodiscard]] bool progressed(std::size_t n);
  // How long until the window ends, or 0 when it ended with too few bytes
  // (the problem is set then).
  [[nodiscard]] std::chrono::milliseconds wait_budget();
  void cut(std::string problem);

  [[nodiscard]] const std::string& problem() const noexcept { return m_problem; }
  [[nodiscard]] const ConnectionLimits& limits() const noexcept { return m_limits; }

private:
  bool window_ended(std::chrono::steady_clock::time_point now);

  ConnectionLimits m_limits;
  std::chrono::steady_clock::time_point m_window_start;
  std::size_t m_window_bytes = 0;
  std::string m_problem;
};

struct HttpConnection {
  std::unique_ptr<httplib::ClientImpl> client;
  std::unique_ptr<ConnectionGuard> guard;
};

// A client for "http(s)://host[:port]" whose every request goes through the
// guard. nullopt-like empty client for an origin that does not parse.
[[nodiscard]] HttpConnection open_connection(const std::string& origin, ConnectionLimits limits);

}  // namespace airlock
