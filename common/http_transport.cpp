#include "common/http_transport.hpp"

#include "common/error.hpp"
#include "common/openssl_handles.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace airlock {

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const noexcept {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::string HttpResponse::header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {"", url};
  const auto path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

std::string short_body(const std::string& body) {
  // Untrusted text for a terminal: one line, control bytes escaped.
  std::string out;
  for (const char c : std::string_view(body).substr(0, 300)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out.empty() ? "" : ": " + out;
}

std::string describe_failure(const HttpResponse& r) {
  return r.status == 0 ? r.problem : fmt::format("HTTP {}{}", r.status, short_body(r.body));
}

namespace {

std::string transport_problem(httplib::Error err) {
  switch (err) {
    case httplib::Error::Connection: return "cannot connect";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "the connection dropped while reading";
    case httplib::Error::Write: return "the connection dropped while writing";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    default: return httplib::to_string(err);
  }
}

}  // namespace

// What one request sends and how its answer is read.
struct HttpTransport::Exchange {
  std::string method;
  const HttpHeaders* headers = nullptr;
  const std::string* body = nullptr;
  std::string content_type;
  UploadSource* upload = nullptr;
  const ByteSink* sink = nullptr;  // a 2xx body's bytes, after `skip`
  std::uint64_t* offset = nullptr;
  std::size_t max_body = 0;  // the kept 2xx body's cap
};

HttpTransport::HttpTransport(TransportOptions options) : m_options(std::move(options)) {}

HttpTransport::~HttpTransport() = default;

HttpConnection& HttpTransport::connection_for(const std::string& origin) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_connections[{origin, std::this_thread::get_id()}];
  if (slot.client) return slot;
  HttpConnection made = open_connection(origin, m_options.limits);
  if (!made.client) throw RemoteError(fmt::format("not an http(s) origin: {}", origin));
  auto& c = *made.client;
  if (origin.starts_with("https://")) {
    auto& tls = static_cast<httplib::SSLClient&>(c);
    tls.enable_server_certificate_verification(true);
    if (m_options.ca_file) {
      // The client's SSL context takes the store and adds the system's
      // default CA paths to it.
      X509StorePtr store(X509_STORE_new());
      if (!store || X509_STORE_load_file(store.get(), m_options.ca_file->c_str()) != 1)
        throw UsageError(
            fmt::format("cannot load CA certificates from {}: {}", m_options.ca_file->string(), openssl_error_text()));
      tls.set_ca_cert_store(store.release());
    }
  }
  c.set_follow_location(false);
  c.set_keep_alive(true);
  // A request's headers and its body are separate writes: with Nagle's
  // algorithm the body waits for the server's delayed ACK (40 ms on Linux),
  // which made every manifest PUT take 40 ms.
  c.set_tcp_nodelay(true);
  c.set_decompress(false);
  c.set_connection_timeout(m_options.connect_timeout);
  // The guarded stream waits under the stall window instead of these.
  c.set_read_timeout(m_options.limits.stall_timeout);
  c.set_write_timeout(m_options.limits.stall_timeout);
  slot = std::move(made);
  return slot;
}

HttpResponse HttpTransport::exchange(const std::string& url, const Exchange& x) {
  auto [origin, path] = split_url(url);
  HttpResponse out;
  out.origin = origin;
  HttpConnection& connection = connection_for(origin);
  ConnectionGuard& guard = *connection.guard;
  guard.begin();

  httplib::Request req;
  req.method = x.method;
  req.path = path;
  for (const auto& [k, v] : *x.headers) req.headers.emplace(k, v);
  if (x.body) {
    req.body = *x.body;
    if (!x.content_type.empty()) req.headers.emplace("Content-Type", x.content_type);
  }

  std::exception_ptr callback_error;  // rethrown here, never through httplib
  std::vector<std::uint8_t> buf;
  if (x.upload) {
    buf.resize(256 * 1024);
    req.headers.emplace("Content-Type", "application/octet-stream");
    req.content_length_ = static_cast<std::size_t>(x.upload->size);
    req.content_provider_ = [&](std::size_t, std::size_t length, httplib::DataSink& sink) {
      std::size_t n = 0;
      const auto asked = std::chrono::steady_clock::now();
      try {
        n = x.upload->read(buf.data(), std::min(buf.size(), length));
        if (n == 0) throw UploadAbandoned{};
      } catch (...) {
        callback_error = std::current_exception();
        return false;  // cancels the request
      }
      guard.exclude(std::chrono::steady_clock::now() - asked);  // waiting for our source is not the registry's stall
      // A failed write is left for httplib to report (Error::Write).
      if (sink.write(reinterpret_cast<const char*>(buf.data()), n)) out.sent += n;
      return true;
    };
  }

  std::uint64_t skip = 0;  // a server that ignores Range resends from 0
  bool streaming = false;
  std::size_t cap = k_max_error_body_bytes;
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    for (const auto& [k, v] : r.headers) out.headers.emplace(k, v);
    const bool success = r.status >= 200 && r.status < 300;
    streaming = x.sink && (r.status == 200 || r.status == 206);
    if (streaming && r.status == 200 && x.offset) skip = *x.offset;
    if (success && !x.sink) cap = x.max_body;
    // A declared length past the cap is refused before its first byte.
    std::uint64_t declared = 0;
    const auto length = r.get_header_value("Content-Length");
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), declared);
    if (!streaming && ec == std::errc() && end == length.data() + length.size() && declared > cap) {
      out.oversized = true;
      return false;
    }
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
    if (!streaming) {
      if (out.body.size() + len > cap) {
        out.body.append(data, cap - out.body.size());
        out.oversized = true;
        return false;  // stops reading: the connection is closed
      }
      out.body.append(data, len);
      return true;
    }
    std::span<const std::uint8_t> chunk(reinterpret_cast<const std::uint8_t*>(data), len);
    if (skip > 0) {
      const auto n = std::min<std::uint64_t>(skip, chunk.size());
      chunk = chunk.subspan(static_cast<std::size_t>(n));
      skip -= n;
    }
    if (chunk.empty()) return true;
    const auto handed = std::chrono::steady_clock::now();
    try {
      (*x.sink)(chunk);
    } catch (...) {
      callback_error = std::current_exception();
      return false;  // cancels the transfer
    }
    guard.exclude(std::chrono::steady_clock::now() - handed);  // a sink waiting for its reader is not a stall
    if (x.offset) *x.offset += chunk.size();
    return true;
  };

  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool ok = false;
  try {
    ok = connection.client->send(req, res, err);
  } catch (const std::exception& e) {
    // httplib parses some numbers with std::stoul (a chunk size).
    guard.cut(fmt::format("a malformed response ({})", e.what()));
  }
  if (callback_error) std::rethrow_exception(callback_error);
  if (ok || (out.oversized && out.status > 0)) {
    // httplib calls the response handler only for a body it reads (not
    // for HEAD or 204): the status and headers come from `res` then.
    if (out.status == 0) {
      out.status = res.status;
      for (const auto& [k, v] : res.headers) out.headers.emplace(k, v);
    }
    return out;
  }
  out.status = 0;
  out.problem = transport_problem(err);
  if (!guard.problem().empty()) {
    out.fatal = true;  // a limit or a stall: not retried
    out.problem = guard.problem();
  } else if (err == httplib::Error::SSLServerVerification) {
    out.fatal = true;
    out.problem =
        fmt::format("the TLS certificate of {} is not trusted (pass --ca-file with the CA that signed it)", origin);
  } else if (err == httplib::Error::SSLLoadingCerts) {
    throw UsageError(fmt::format("{}: cannot load CA certificates", origin));
  }
  if (x.upload && out.sent > 0) {
    out.fatal = true;  // the body cannot be sent again
    out.problem = fmt::format("{} after {} of {} bytes", out.problem, out.sent, x.upload->size);
  }
  return out;
}

HttpResponse HttpTransport::follow(const std::string& url, HttpHeaders headers, const ByteSink* sink,
                                   std::uint64_t* offset, std::size_t max_body) {
  std::string current = url;
  const std::string first_origin = split_url(url).first;
  for (int redirects = 0;; ++redirects) {
    if (offset && *offset > 0) headers["Range"] = fmt::format("bytes={}-", *offset);
    Exchange x{"GET", &headers, nullptr, {}, nullptr, sink, offset, max_body};
    HttpResponse r = exchange(current, x);
    if (r.status < 300 || r.status >= 400 || r.status == 304) return r;
    const auto location = r.header("Location");
    if (location.empty() || redirects >= k_max_redirects) {
      r.fatal = true;
      r.problem = fmt::format("bad redirect (HTTP {})", r.status);
      r.status = 0;
      return r;
    }
    auto [next_origin, next_path] = split_url(location);
    if (next_origin.empty()) next_origin = split_url(current).first;
    if (next_origin.starts_with("http://") && !m_options.allow_plain_http) {
      r.fatal = true;
      r.problem = fmt::format("refusing a redirect to plain HTTP {}", location);
      r.status = 0;
      return r;
    }
    // Credentials never leave the origin they were meant for (blob storage
    // on another host gets none).
    if (next_origin != first_origin) headers.erase("Authorization");
    headers.erase("Range");
    current = next_origin + next_path;
  }
}

HttpResponse HttpTransport::get(const std::string& url, const HttpHeaders& headers, std::size_t max_body) {
  return follow(url, headers, nullptr, nullptr, max_body);
}

HttpResponse HttpTransport::get_stream(const std::string& url, const HttpHeaders& headers, const ByteSink& sink,
                                       std::uint64_t& offset) {
  return follow(url, headers, &sink, &offset, k_max_error_body_bytes);
}

HttpResponse HttpTransport::head(const std::string& url, const HttpHeaders& headers) {
  return exchange(url, {"HEAD", &headers, nullptr, {}, nullptr, nullptr, nullptr, k_max_error_body_bytes});
}

HttpResponse HttpTransport::put(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                const std::string& content_type) {
  return exchange(url, {"PUT", &headers, &body, content_type, nullptr, nullptr, nullptr, k_max_error_body_bytes});
}

HttpResponse HttpTransport::put(const std::string& url, const HttpHeaders& headers, UploadSource& body) {
  return exchange(url, {"PUT", &headers, nullptr, {}, &body, nullptr, nullptr, k_max_error_body_bytes});
}

HttpResponse HttpTransport::post(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                 const std::string& content_type, std::size_t max_body) {
  return exchange(url, {"POST", &headers, &body, content_type, nullptr, nullptr, nullptr, max_body});
}

HttpResponse HttpTransport::patch(const std::string& url, const HttpHeaders& headers, UploadSource& body) {
  return exchange(url, {"PATCH", &headers, nullptr, {}, &body, nullptr, nullptr, k_max_error_body_bytes});
}

HttpResponse HttpTransport::del(const std::string& url, const HttpHeaders& headers) {
  return exchange(url, {"DELETE", &headers, nullptr, {}, nullptr, nullptr, nullptr, k_max_error_body_bytes});
}

}  // namespace airlock
