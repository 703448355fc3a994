#pragma once
// HTTP/1.1 for the registry client, over cpp-httplib and OpenSSL: typed
// get/head/put/post/patch/del on absolute URLs, one keep-alive connection
// per origin and thread, TLS verified against the system store plus an
// optional private CA.
//
// A GET follows redirects (never carrying Authorization off the URL's
// origin, refusing plain HTTP targets unless allowed) and can stream a 2xx
// body into a sink from a byte offset (Range; a server that ignores Range
// resends from 0 and the bytes before the offset are skipped). PUT and
// PATCH can stream their body from an UploadSource. Other methods do not
// follow redirects.
//
// Every response is read under common/http_connection's guard (header
// caps, the stall window) and its body under a cap: a body that is kept
// stops at `max_body` (or at k_max_error_body_bytes when it is not the
// 2xx body asked for) and the response says `oversized`.
//
// Failures are values: a response with status 0 names the transport
// problem (retryable unless `fatal`: an untrusted certificate, a limit, a
// stall, a streamed body that had started). Exceptions: UsageError when the CA
// file cannot be loaded; an UploadSource's or ByteSink's own exception,
// rethrown as it is (never through httplib).

#include "common/http_connection.hpp"
#include "common/http_limits.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace airlock {

struct HeaderNameLess {
  using is_transparent = void;
  [[nodiscard]] bool operator()(std::string_view a, std::string_view b) const noexcept;
};
using HttpHeaders = std::map<std::string, std::string, HeaderNameLess>;

struct HttpResponse {
  int status = 0;       // 0: no answer, `problem` says why
  std::string problem;  // the transport failure, for messages
  bool fatal = false;   // a failure no retry mends (an untrusted certificate)
  HttpHeaders headers;
  std::string body;        // error bodies and small documents only
  bool oversized = false;  // the body was longer than its cap: `body` is cut, the connection closed
  std::uint64_t sent = 0;  // bytes of a streamed request body that went out
  std::string origin;      // the origin that answered (after redirects)

  [[nodiscard]] std::string header(std::string_view name) const;
};

using ByteSink = std::function<void(std::span<const std::uint8_t>)>;

// The body of a streaming upload: `read` fills up to `cap` bytes and
// returns how many; it may block until bytes arrive, and returns 0 (or
// throws) to abandon the upload.
struct UploadSource {
  std::uint64_t size = 0;
  std::function<std::size_t(std::uint8_t* buf, std::size_t cap)> read;
};

// Thrown out of a streamed PUT or PATCH whose source returned 0.
struct UploadAbandoned {};

struct TransportOptions {
  std::optional<std::filesystem::path> ca_file;
  bool allow_plain_http = false;  // may a redirect lead to an http:// origin
  std::chrono::seconds connect_timeout{15};
  ConnectionLimits limits;  // headers, the stall window
};

class HttpTransport {
public:
  explicit HttpTransport(TransportOptions options);
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;
  ~HttpTransport();

  // A small GET: a 2xx body is kept up to `max_body` bytes (past that,
  // `oversized`).
  [[nodiscard]] HttpResponse get(const std::string& url, const HttpHeaders& headers, std::size_t max_body);
  // A streaming GET: a 200 or 206 body goes to `sink` from `offset` on, and
  // `offset` counts the bytes it was given.
  [[nodiscard]] HttpResponse get_stream(const std::string& url, const HttpHeaders& headers, const ByteSink& sink,
                                        std::uint64_t& offset);
  [[nodiscard]] HttpResponse head(const std::string& url, const HttpHeaders& headers);
  [[nodiscard]] HttpResponse put(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                 const std::string& content_type);
  [[nodiscard]] HttpResponse put(const std::string& url, const HttpHeaders& headers, UploadSource& body);
  [[nodiscard]] HttpResponse post(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                  const std::string& content_type, std::size_t max_body = k_max_error_body_bytes);
  [[nodiscard]] HttpResponse patch(const std::string& url, const HttpHeaders& headers, UploadSource& body);
  [[nodiscard]] HttpResponse del(const std::string& url, const HttpHeaders& headers);

private:
  struct Exchange;
  HttpResponse exchange(const std::string& url, const Exchange& x);
  HttpResponse follow(const std::string& url, HttpHeaders headers, const ByteSink* sink, std::uint64_t* offset,
                      std::size_t max_body);
  HttpConnection& connection_for(const std::string& origin);

  TransportOptions m_options;
  std::mutex m_mutex;  // guards m_connections
  std::map<std::pair<std::string, std::thread::id>, HttpConnection> m_connections;
};

// "https://host:port/path?q" → {"https://host:port", "/path?q"}; a URL
// without a scheme is all path ({"", url}).
[[nodiscard]] std::pair<std::string, std::string> split_url(const std::string& url);

// ": first 300 bytes of the body, on one line" (empty for an empty body).
[[nodiscard]] std::string short_body(const std::string& body);

// "HTTP 503: ..." or the transport problem, for messages.
[[nodiscard]] std::string describe_failure(const HttpResponse& r);

}  // namespace airlock
