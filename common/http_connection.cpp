#include "common/http_connection.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>

namespace airlock {

void ConnectionGuard::begin() {
  m_problem.clear();
  restart_window();
}

void ConnectionGuard::restart_window() {
  m_window_start = std::chrono::steady_clock::now();
  m_window_bytes = 0;
}

// The window runs from the last time k_stall_min_bytes had moved: a peer
// that stops, or trickles, is cut one stall timeout after that.
bool ConnectionGuard::window_ended(std::chrono::steady_clock::time_point now) {
  if (m_window_bytes >= m_limits.stall_min_bytes) {
    m_window_start = now;
    m_window_bytes = 0;
    return false;
  }
  if (now - m_window_start < m_limits.stall_timeout) return false;
  cut(fmt::format("stalled: fewer than {} bytes moved in {} s", m_limits.stall_min_bytes,
                  std::chrono::duration_cast<std::chrono::duration<double>>(m_limits.stall_timeout).count()));
  return true;
}

bool ConnectionGuard::progressed(std::size_t n) {
  m_window_bytes += n;
  return !window_ended(std::chrono::steady_clock::now());
}

std::chrono::milliseconds ConnectionGuard::wait_budget() {
  const auto now = std::chrono::steady_clock::now();
  if (window_ended(now)) return std::chrono::milliseconds(0);
  const auto left = m_limits.stall_timeout - (now - m_window_start);
  return std::max(std::chrono::milliseconds(1), std::chrono::ceil<std::chrono::milliseconds>(left));
}

void ConnectionGuard::cut(std::string problem) {
  if (m_problem.empty()) m_problem = std::move(problem);
}

namespace {

// The stream of one request on a connection: non-blocking I/O under the
// guard's progress window, header accounting on the bytes httplib reads
// (it reads a header block one byte at a time, so what this returns is
// exactly what it parses).
class GuardedStream final : public httplib::Stream {
public:
  GuardedStream(int sock, SSL* ssl, ConnectionGuard& guard) : m_sock(sock), m_ssl(ssl), m_guard(guard) {
    // OpenSSL reads and writes through the socket itself: non-blocking, so
    // that a record trickling in a byte at a time cannot hold SSL_read.
    if (m_ssl) {
      m_flags = ::fcntl(m_sock, F_GETFL);
      if (m_flags >= 0) ::fcntl(m_sock, F_SETFL, m_flags | O_NONBLOCK);
    }
  }
  GuardedStream(const GuardedStream&) = delete;
  GuardedStream& operator=(const GuardedStream&) = delete;
  ~GuardedStream() override {
    if (m_ssl && m_flags >= 0) ::fcntl(m_sock, F_SETFL, m_flags);  // httplib expects blocking
  }

  bool is_readable() const override {
    if (m_pos < m_len || (m_ssl && SSL_pending(m_ssl) > 0)) return true;
    return const_cast<GuardedStream*>(this)->wait(POLLIN);
  }
  bool is_writable() const override { return const_cast<GuardedStream*>(this)->wait(POLLOUT); }

  ssize_t read(char* ptr, std::size_t size) override {
    if (size == 0) return 0;
    if (m_pos == m_len) {
      const ssize_t n = fill();
      if (n <= 0) return n;
    }
    const std::size_t n = std::min(size, m_len - m_pos);
    std::memcpy(ptr, m_buf + m_pos, n);
    m_pos += n;
    if (!account(ptr, n, size == 1)) return -1;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    m_in_headers = false;  // a request goes out: its answer is read next
    m_answer_started = false;
    for (;;) {
      ssize_t n = 0;
      if (m_ssl) {
        const int r = SSL_write(m_ssl, ptr, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
        if (r > 0) {
          n = r;
        } else {
          const int e = SSL_get_error(m_ssl, r);
          if ((e == SSL_ERROR_WANT_WRITE && wait(POLLOUT)) || (e == SSL_ERROR_WANT_READ && wait(POLLIN))) continue;
          return -1;
        }
      } else {
        n = ::send(m_sock, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          if (wait(POLLOUT)) continue;
          return -1;
        }
        if (n < 0) return -1;
      }
      if (!m_guard.progressed(static_cast<std::size_t>(n))) return -1;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
  socket_t socket() const override { return m_sock; }

private:
  // Waits until the socket is ready for `events`, or the progress window
  // runs out with too few bytes (false, the guard's problem set).
  bool wait(short events) {
    for (;;) {
      const auto budget = m_guard.wait_budget();
      if (budget.count() == 0) return false;
      pollfd p{m_sock, events, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(budget.count(), 1 << 30)));
      if (rc > 0) return true;  // ready, or an error the next call reports
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  ssize_t fill() {
    m_pos = m_len = 0;
    for (;;) {
      ssize_t n = 0;
      if (m_ssl) {
        const int r = SSL_read(m_ssl, m_buf, sizeof m_buf);
        if (r > 0) {
          n = r;
        } else {
          const int e = SSL_get_error(m_ssl, r);
          if ((e == SSL_ERROR_WANT_READ && wait(POLLIN)) || (e == SSL_ERROR_WANT_WRITE && wait(POLLOUT))) continue;
          if (e == SSL_ERROR_ZERO_RETURN) return 0;
          return -1;
        }
      } else {
        n = ::recv(m_sock, m_buf, sizeof m_buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          if (wait(POLLIN)) continue;
          return -1;
        }
        if (n <= 0) return n;
      }
      if (!m_guard.progressed(static_cast<std::size_t>(n))) return -1;
      m_len = static_cast<std::size_t>(n);
      return n;
    }
  }

  // Header accounting over the bytes handed to httplib. False (and the
  // connection cut) past a limit.
  bool account(const char* p, std::size_t n, bool line_read) {
    const auto& limits = m_guard.limits();
    if (!m_answer_started) {
      m_answer_started = true;
      m_in_headers = true;
      m_header_bytes = m_header_lines = m_line_len = 0;
      m_status.clear();
    }
    // A line read a byte at a time outside the headers (a chunk size):
    // bounded like a header block.
    if (!m_in_headers) {
      if (!line_read) {
        m_line_len = 0;
        return true;
      }
      m_line_len = p[0] == '\n' ? 0 : m_line_len + 1;
      if (m_line_len <= limits.max_header_bytes) return true;
      m_guard.cut(fmt::format("a response line is longer than {} bytes", limits.max_header_bytes));
      return false;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const char c = p[i];
      if (++m_header_bytes > limits.max_header_bytes) {
        m_guard.cut(fmt::format("the response headers exceed {} bytes", limits.max_header_bytes));
        return false;
      }
      if (m_header_lines == 0 && m_status.size() < 16) m_status += c;
      if (c != '\n') {
        if (m_line_len++ == 0) m_first = c;
        continue;
      }
      const bool blank = m_line_len == 1 && m_first == '\r';
      m_line_len = 0;
      if (!blank) {
        if (++m_header_lines > limits.max_headers + 1) {  // the status line and the headers
          m_guard.cut(fmt::format("the response has more than {} headers", limits.max_headers));
          return false;
        }
        continue;
      }
      // The end of a header block; after "100 Continue" another follows.
      const bool interim = m_status.size() >= 12 && std::string_view(m_status).substr(8, 4) == " 100";
      if (interim) {
        m_header_lines = 0;
        m_status.clear();
      } else {
        m_in_headers = false;
      }
    }
    return true;
  }

  void address(bool local, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ip.clear();
    port = 0;
    if ((local ? ::getsockname : ::getpeername)(m_sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0)
      return;
    ip = host;
    (void)std::from_chars(serv, serv + std::strlen(serv), port);
  }

  int m_sock;
  SSL* m_ssl;
  ConnectionGuard& m_guard;
  int m_flags = -1;
  char m_buf[16 * 1024];
  std::size_t m_pos = 0, m_len = 0;
  bool m_answer_started = false;
  bool m_in_headers = false;
  std::size_t m_header_bytes = 0, m_header_lines = 0, m_line_len = 0;
  char m_first = 0;
  std::string m_status;  // the start of a block's status line
};

// httplib's clients with their socket stream replaced (process_socket is
// the library's hook for it: a private virtual, overridden here).
template <class Base>
class GuardedClient final : public Base {
public:
  GuardedClient(const std::string& host, int port, ConnectionGuard& guard) : Base(host, port), m_guard(guard) {}

private:
  bool process_socket(const typename Base::Socket& socket,
                      std::function<bool(httplib::Stream& strm)> callback) override {
    GuardedStream stream(socket.sock, socket.ssl, m_guard);
    return callback(stream);
  }

  ConnectionGuard& m_guard;
};

struct Origin {
  bool tls = false;
  std::string host;  // an IPv6 literal without its brackets
  int port = 0;
};

std::optional<Origin> parse_origin(const std::string& origin) {
  Origin o;
  std::string_view rest = origin;
  if (rest.starts_with("https://")) {
    o.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    o.host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (rest.starts_with(':'))
      port = rest.substr(1);
    else if (!rest.empty())
      return std::nullopt;
  } else {
    const auto colon = rest.find(':');
    o.host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (o.host.empty()) return std::nullopt;
  o.port = o.tls ? 443 : 80;
  if (!port.empty()) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), o.port);
    if (ec != std::errc() || end != port.data() + port.size() || o.port <= 0 || o.port > 65535) return std::nullopt;
  }
  return o;
}

}  // namespace

HttpConnection open_connection(const std::string& origin, ConnectionLimits limits) {
  HttpConnection c;
  const auto o = parse_origin(origin);
  if (!o) return c;
  c.guard = std::make_unique<ConnectionGuard>(limits);
  if (o->tls)
    c.client = std::make_unique<GuardedClient<httplib::SSLClient>>(o->host, o->port, *c.guard);
  else
    c.client = std::make_unique<GuardedClient<httplib::ClientImpl>>(o->host, o->port, *c.guard);
  return c;
}

}  // namespace airlock
