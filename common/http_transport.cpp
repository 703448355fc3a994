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
  std::string out = body.substr(0, 300);
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
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
    if (rest.starts_with(':')) port = rest.substr(1);
    else if (!rest.empty()) return std::nullopt;
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

// What one request sends and how its answer is read.
struct HttpTransport::Exchange {
  std::string method;
  const HttpHeaders* headers = nullptr;
  const std::string* body = nullptr;
  std::string content_type;
  UploadSource* upload = nullptr;
  const ByteSink* sink = nullptr;  // a 2xx body's bytes, after `skip`
  std::uint64_t* offset = nullptr;
  std::size_t max_body = 0;  // the kept body's cap
};

HttpTransport::HttpTransport(TransportOptions options) : m_options(std::move(options)) {}

HttpTransport::~HttpTransport() = default;

httplib::ClientImpl& HttpTransport::client_for(const std::string& origin) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_clients[{origin, std::this_thread::get_id()}];
  if (slot) return *slot;
  const auto o = parse_origin(origin);
  if (!o) throw RemoteError(fmt::format("not an http(s) origin: {}", origin));
  if (o->tls) {
    auto tls = std::make_unique<httplib::SSLClient>(o->host, o->port);
    tls->enable_server_certificate_verification(true);
    if (m_options.ca_file) {
      // The client's SSL context takes the store and adds the system's
      // default CA paths to it.
      X509StorePtr store(X509_STORE_new());
      if (!store || X509_STORE_load_file(store.get(), m_options.ca_file->c_str()) != 1)
        throw UsageError(fmt::format("cannot load CA certificates from {}: {}", m_options.ca_file->string(),
                                     openssl_error_text()));
      tls->set_ca_cert_store(store.release());
    }
    slot = std::move(tls);
  } else {
    slot = std::make_unique<httplib::ClientImpl>(o->host, o->port);
  }
  auto& c = *slot;
  c.set_follow_location(false);
  c.set_keep_alive(true);
  // A request's headers and its body are separate writes: with Nagle's
  // algorithm the body waits for the server's delayed ACK (40 ms on Linux),
  // which made every manifest PUT take 40 ms.
  c.set_tcp_nodelay(true);
  c.set_decompress(false);
  c.set_connection_timeout(m_options.connect_timeout);
  c.set_read_timeout(m_options.timeout);
  c.set_write_timeout(m_options.timeout);
  return c;
}

HttpResponse HttpTransport::exchange(const std::string& url, const Exchange& x) {
  auto [origin, path] = split_url(url);
  HttpResponse out;
  out.origin = origin;
  httplib::ClientImpl& client = client_for(origin);

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
      try {
        const std::size_t n = x.upload->read(buf.data(), std::min(buf.size(), length));
        if (n == 0) throw UploadAbandoned{};
        out.sent += n;
        return sink.write(reinterpret_cast<const char*>(buf.data()), n);
      } catch (...) {
        callback_error = std::current_exception();
        return false;  // cancels the request
      }
    };
  }

  std::uint64_t skip = 0;  // a server that ignores Range resends from 0
  bool streaming = false;
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    for (const auto& [k, v] : r.headers) out.headers.emplace(k, v);
    streaming = x.sink && (r.status == 200 || r.status == 206);
    if (streaming && r.status == 200 && x.offset) skip = *x.offset;
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
    if (!streaming) {
      // Beyond the cap the rest is dropped: error text is for messages.
      if (out.body.size() < x.max_body) out.body.append(data, std::min(len, x.max_body - out.body.size()));
      return true;
    }
    std::span<const std::uint8_t> chunk(reinterpret_cast<const std::uint8_t*>(data), len);
    if (skip > 0) {
      const auto n = std::min<std::uint64_t>(skip, chunk.size());
      chunk = chunk.subspan(static_cast<std::size_t>(n));
      skip -= n;
    }
    if (chunk.empty()) return true;
    try {
      (*x.sink)(chunk);
    } catch (...) {
      callback_error = std::current_exception();
      return false;  // cancels the transfer
    }
    if (x.offset) *x.offset += chunk.size();
    return true;
  };

  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool ok = client.send(req, res, err);
  if (callback_error) std::rethrow_exception(callback_error);
  if (ok) {
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
  if (err == httplib::Error::SSLServerVerification) {
    out.fatal = true;
    out.problem = fmt::format("the TLS certificate of {} is not trusted (pass --ca-file with the CA that signed it)",
                              origin);
  } else if (err == httplib::Error::SSLLoadingCerts) {
    throw UsageError(fmt::format("{}: cannot load CA certificates", origin));
  } else if (x.upload && out.sent > 0) {
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
    if (location.empty() || redirects >= 5) {
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
  return follow(url, headers, &sink, &offset, k_error_body_bytes);
}

HttpResponse HttpTransport::head(const std::string& url, const HttpHeaders& headers) {
  return exchange(url, {"HEAD", &headers, nullptr, {}, nullptr, nullptr, nullptr, k_error_body_bytes});
}

HttpResponse HttpTransport::put(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                const std::string& content_type) {
  return exchange(url, {"PUT", &headers, &body, content_type, nullptr, nullptr, nullptr, k_error_body_bytes});
}

HttpResponse HttpTransport::put(const std::string& url, const HttpHeaders& headers, UploadSource& body) {
  return exchange(url, {"PUT", &headers, nullptr, {}, &body, nullptr, nullptr, k_error_body_bytes});
}

HttpResponse HttpTransport::post(const std::string& url, const HttpHeaders& headers, const std::string& body,
                                 const std::string& content_type) {
  return exchange(url, {"POST", &headers, &body, content_type, nullptr, nullptr, nullptr, k_error_body_bytes});
}

HttpResponse HttpTransport::patch(const std::string& url, const HttpHeaders& headers, UploadSource& body) {
  return exchange(url, {"PATCH", &headers, nullptr, {}, &body, nullptr, nullptr, k_error_body_bytes});
}

HttpResponse HttpTransport::del(const std::string& url, const HttpHeaders& headers) {
  return exchange(url, {"DELETE", &headers, nullptr, {}, nullptr, nullptr, nullptr, k_error_body_bytes});
}

}  // namespace airlock
