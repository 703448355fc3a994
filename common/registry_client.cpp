#include "common/registry_client.hpp"

#include "common/base64.hpp"
#include "common/error.hpp"
#include "formats/oci_types.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/x509.h>

#include <arpa/inet.h>

#include <thread>

namespace airlock {

std::string registry_api_host(const std::string& host) {
  if (host == "docker.io") return "registry-1.docker.io";
  const bool ipv6 = host.starts_with('[');
  const auto end = ipv6 ? host.find(']') : host.find(':');
  const std::string name = ipv6 ? host.substr(1, end == std::string::npos ? end : end - 1) : host.substr(0, end);
  const std::string rest = end == std::string::npos ? "" : host.substr(ipv6 ? end + 1 : end);
  if (!rest.empty()) {
    // A reference's port is any number of digits, and the resolver would
    // take 70000 as 70000 mod 65536: another port.
    const auto significant = rest.find_first_not_of('0', 1);
    const auto digits = significant == std::string::npos ? std::string() : rest.substr(significant);
    if (rest.front() != ':' || rest.size() < 2 || rest.find_first_not_of("0123456789", 1) != std::string::npos ||
        digits.size() > 5 || digits.empty() || std::stoi(digits) > 65535)
      throw UsageError(fmt::format("registry {}: \"{}\" is not a TCP port (1 to 65535)", host, rest.substr(1)));
  }
  if (ipv6) {
    in6_addr address{};
    if (end == std::string::npos || inet_pton(AF_INET6, name.c_str(), &address) != 1)
      throw UsageError(fmt::format("registry {}: \"{}\" is not an IPv6 address", host, name));
    // cpp-httplib 0.11's Client reads an IPv6 origin only when it is decimal
    // digits and colons, and looks any other up as a host name.
    if (name.find_first_not_of(":0123456789") != std::string::npos)
      throw UsageError(fmt::format("registry {}: an IPv6 address with hex letters cannot be contacted yet; name the "
                                   "registry by a host name that resolves to it",
                                   host));
  }
  return host;
}

struct RegistryClient::Response {
  int status = 0;
  httplib::Headers headers;
  std::string body;  // error bodies and small documents only
  [[nodiscard]] std::string header(const std::string& key) const {
    const auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
  }
};

namespace {

constexpr std::size_t k_max_small_body = 4 * 1024 * 1024;

// Splits "https://host:port/path?q" into origin and path.
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

std::string manifest_accept() {
  return fmt::format("{}, {}, {}, {}", media_type::oci_manifest, media_type::oci_index, media_type::docker_manifest,
                     media_type::docker_manifest_list);
}

// Thrown by an upload's body provider when the source gave up (the bundle
// failed verification); never reported as the registry's fault.
struct UploadAbandoned {
  std::exception_ptr cause;
};

bool retryable_status(int status) { return status == 429 || status == 408 || status >= 500; }

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

// "manifest org/app:1.0", "manifest push org/app@sha256:..." for messages.
std::string manifest_what(std::string_view action, const std::string& repository, const std::string& reference) {
  return fmt::format("{} {}{}{}", action, repository, reference.starts_with("sha256:") ? "@" : ":", reference);
}

RemoteError untrusted_certificate(const std::string& host, const std::string& what, const std::string& origin) {
  return RemoteError(fmt::format("registry {}: {}: the TLS certificate of {} is not trusted (pass --ca-file with the "
                                 "CA that signed it)",
                                 host, what, origin));
}

}  // namespace

RegistryClient::RegistryClient(std::string host, RegistryOptions options, AuthStore auth)
    : m_host(std::move(host)), m_options(std::move(options)), m_auth(std::move(auth)) {
  const bool insecure = m_options.insecure_hosts.contains(m_host);
  m_origin = (insecure ? "http://" : "https://") + registry_api_host(m_host);
}

RegistryClient::~RegistryClient() = default;

std::string RegistryClient::authorization(const std::string& scope) {
  std::lock_guard lock(m_mutex);
  const auto it = m_authorization.find(scope);
  return it == m_authorization.end() ? std::string() : it->second;
}

httplib::Client& RegistryClient::client_for(const std::string& origin) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_clients[{origin, std::this_thread::get_id()}];
  if (slot) return *slot;
  slot = std::make_unique<httplib::Client>(origin);
  auto& c = *slot;
  c.set_follow_location(false);
  c.set_keep_alive(true);
  // A request's headers and its body are separate writes: with Nagle's
  // algorithm the body waits for the server's delayed ACK (40 ms on Linux),
  // which made every manifest PUT take 40 ms.
  c.set_tcp_nodelay(true);
  c.set_decompress(false);
  c.set_connection_timeout(std::chrono::seconds(15));
  c.set_read_timeout(m_options.timeout);
  c.set_write_timeout(m_options.timeout);
  if (origin.starts_with("https://")) {
    c.enable_server_certificate_verification(true);
    if (m_options.ca_file) {
      // The client's SSL context takes the store and adds the system's
      // default CA paths to it.
      X509_STORE* store = X509_STORE_new();
      if (!store || X509_STORE_load_file(store, m_options.ca_file->c_str()) != 1) {
        X509_STORE_free(store);
        throw UsageError(fmt::format("cannot load CA certificates from {}: {}", m_options.ca_file->string(),
                                     openssl_error_text()));
      }
      c.set_ca_cert_store(store);
    }
  }
  return c;
}

void RegistryClient::authenticate(const std::string& repository, const std::string& actions, const std::string& header,
                                  const std::string& what, const std::string& stale) {
  std::lock_guard auth_lock(m_auth_mutex);
  const std::string scope = "repository:" + repository + ":" + actions;
  if (const auto current = authorization(scope); !current.empty() && current != stale) return;
  const auto challenge = parse_auth_challenge(header);
  if (!challenge)
    throw RemoteError(fmt::format("registry {}: {}: unauthorized, and no usable WWW-Authenticate challenge", m_host, what));
  const auto creds = m_auth.find(m_host);
  if (challenge->scheme == "basic") {
    if (!creds || creds->username.empty())
      throw RemoteError(fmt::format("registry {}: {}: the registry requires credentials and there are none for {} "
                                    "in {} (docker login / --auth-file / $REGISTRY_AUTH_FILE)",
                                    m_host, what, m_host, m_auth.source()));
    std::lock_guard lock(m_mutex);
    m_authorization[scope] = "Basic " + base64_encode(creds->username + ":" + creds->password);
    return;
  }
  if (challenge->scheme != "bearer")
    throw RemoteError(fmt::format("registry {}: {}: unsupported auth scheme \"{}\"", m_host, what, challenge->scheme));
  const auto realm = challenge->params.find("realm");
  if (realm == challenge->params.end())
    throw RemoteError(fmt::format("registry {}: {}: bearer challenge without a realm", m_host, what));

  // The token service: GET realm?service=&scope= (basic credentials when
  // known), or the OAuth2 refresh-token POST for an identity token.
  auto [origin, path] = split_url(realm->second);
  if (origin.empty() || (!origin.starts_with("https://") && !m_options.insecure_hosts.contains(m_host)))
    throw RemoteError(fmt::format("registry {}: {}: token realm {} is not an https URL", m_host, what, realm->second));
  httplib::Params params;
  if (const auto s = challenge->params.find("service"); s != challenge->params.end()) params.emplace("service", s->second);
  // The challenge's scope may name several (a mount needs pull on the
  // source repository too): one scope parameter each, as docker sends them.
  const std::string scopes = challenge->params.contains("scope") ? challenge->params.at("scope") : scope;
  for (std::size_t p = 0; p < scopes.size();) {
    const auto space = std::min(scopes.find(' ', p), scopes.size());
    if (space > p) params.emplace("scope", scopes.substr(p, space - p));
    p = space + 1;
  }
  auto& client = client_for(origin);
  const auto fetch_token = [&]() {
    if (creds && !creds->identity_token.empty()) {
      auto form = params;
      form.emplace("grant_type", "refresh_token");
      form.emplace("refresh_token", creds->identity_token);
      form.emplace("client_id", "airlock");
      return client.Post(path, form);
    }
    httplib::Headers headers;
    if (creds) headers.emplace("Authorization", "Basic " + base64_encode(creds->username + ":" + creds->password));
    return client.Get(httplib::append_query_params(path, params), headers);
  };
  auto res = fetch_token();
  for (int attempt = 1; (!res || retryable_status(res->status)) && attempt < m_options.attempts; ++attempt) {
    std::this_thread::sleep_for(m_options.backoff * (1 << (attempt - 1)));
    res = fetch_token();
  }
  if (!res)
    throw RemoteError(fmt::format("registry {}: {}: token service {} failed: {}", m_host, what, realm->second,
                                  httplib::to_string(res.error())));
  if (res->status == 401 || res->status == 403)
    throw RemoteError(fmt::format("registry {}: {}: the token service refused the credentials from {} (HTTP {})",
                                  m_host, what, m_auth.source(), res->status));
  if (res->status != 200)
    throw RemoteError(fmt::format("registry {}: {}: token service answered HTTP {}{}", m_host, what, res->status,
                                  short_body(res->body)));
  const auto j = nlohmann::json::parse(res->body, nullptr, false);
  std::string token;
  if (j.is_object() && j.contains("token") && j["token"].is_string()) token = j["token"];
  else if (j.is_object() && j.contains("access_token") && j["access_token"].is_string()) token = j["access_token"];
  if (token.empty())
    throw RemoteError(fmt::format("registry {}: {}: token service gave no token", m_host, what));
  std::lock_guard lock(m_mutex);
  m_authorization[scope] = "Bearer " + token;
}

RegistryClient::Response RegistryClient::send_once(const std::string& origin, const std::string& path,
                                                   std::map<std::string, std::string> headers,
                                                   const ByteSink* body_sink, std::uint64_t* resume_offset,
                                                   bool same_registry, const std::string& what, int redirects) {
  if (resume_offset && *resume_offset > 0) headers["Range"] = fmt::format("bytes={}-", *resume_offset);
  httplib::Headers h(headers.begin(), headers.end());
  Response out;
  std::uint64_t skip = 0;  // a server that ignores Range resends from 0
  bool streaming = false;
  std::exception_ptr sink_error;  // rethrown here, never through httplib
  auto res = client_for(origin).Get(
      path, h,
      [&](const httplib::Response& r) {
        out.status = r.status;
        out.headers = r.headers;
        streaming = body_sink && (r.status == 200 || r.status == 206);
        if (streaming && r.status == 200 && resume_offset) skip = *resume_offset;
        return true;
      },
      [&](const char* data, size_t len) {
        if (!streaming) {
          if (out.body.size() + len > k_max_small_body) return false;
          out.body.append(data, len);
          return true;
        }
        std::span<const std::uint8_t> chunk(reinterpret_cast<const std::uint8_t*>(data), len);
        if (skip > 0) {
          const auto n = std::min<std::uint64_t>(skip, chunk.size());
          chunk = chunk.subspan(static_cast<std::size_t>(n));
          skip -= n;
        }
        if (!chunk.empty()) {
          try {
            (*body_sink)(chunk);
          } catch (...) {
            sink_error = std::current_exception();
            return false;  // cancels the transfer
          }
          if (resume_offset) *resume_offset += chunk.size();
        }
        return true;
      });
  if (sink_error) std::rethrow_exception(sink_error);
  if (!res) {
    const auto err = res.error();
    if (err == httplib::Error::SSLServerVerification) throw untrusted_certificate(m_host, what, origin);
    if (err == httplib::Error::SSLLoadingCerts)
      throw UsageError(fmt::format("registry {}: cannot load CA certificates", m_host));
    out.status = -static_cast<int>(err);  // a transport error: retried by the caller
    out.body = transport_problem(err);
    return out;
  }
  if (out.status >= 300 && out.status < 400 && out.status != 304) {
    const auto location = out.header("Location");
    if (location.empty() || redirects >= 5)
      throw RemoteError(fmt::format("registry {}: {}: bad redirect (HTTP {})", m_host, what, out.status));
    auto [new_origin, new_path] = split_url(location);
    if (new_origin.empty()) new_origin = origin;
    if (new_origin.starts_with("http://") && !m_options.insecure_hosts.contains(m_host))
      throw RemoteError(fmt::format("registry {}: {}: refusing a redirect to plain HTTP {}", m_host, what, location));
    const bool still_same = same_registry && new_origin == origin;
    if (!still_same) headers.erase("Authorization");  // never hand credentials to blob storage
    headers.erase("Range");
    return send_once(new_origin, new_path, headers, body_sink, resume_offset, still_same, what, redirects + 1);
  }
  return out;
}

RegistryClient::Response RegistryClient::request(const std::string& repository, const std::string& actions,
                                                 const std::string& what,
                                                 const std::map<std::string, std::string>& headers,
                                                 const Sender& send) {
  const std::string scope = "repository:" + repository + ":" + actions;
  bool authenticated_now = false;
  std::string last_problem;
  for (int attempt = 1; attempt <= m_options.attempts;) {
    auto h = headers;
    const std::string sent = authorization(scope);
    if (!sent.empty()) h["Authorization"] = sent;
    Response r = send(h);
    if (r.status == 401 && !authenticated_now) {
      authenticate(repository, actions, r.header("WWW-Authenticate"), what, sent);
      authenticated_now = true;
      continue;
    }
    if (r.status == 401 || r.status == 403)
      throw RemoteError(fmt::format("registry {}: {}: access denied (HTTP {}) with the credentials from {}{}", m_host,
                                    what, r.status, m_auth.source(), short_body(r.body)));
    if (r.status > 0 && !retryable_status(r.status)) return r;
    last_problem = r.status < 0 ? r.body : fmt::format("HTTP {}{}", r.status, short_body(r.body));
    if (attempt == m_options.attempts) break;
    auto wait = m_options.backoff * (1 << (attempt - 1));
    if (r.status == 429)
      if (const auto ra = r.header("Retry-After"); !ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit))
        wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoi(ra)), std::chrono::seconds(30));
    std::this_thread::sleep_for(wait);
    ++attempt;
  }
  throw RemoteError(fmt::format("registry {}: {}: failed after {} attempts: {}", m_host, what, m_options.attempts,
                                last_problem));
}

FetchedManifest RegistryClient::get_manifest(const std::string& repository, const std::string& reference) {
  const std::string what = manifest_what("manifest", repository, reference);
  const std::string accept = manifest_accept();
  const auto path = fmt::format("/v2/{}/manifests/{}", repository, reference);
  Response r = request(repository, "pull", what, {{"Accept", accept}}, [&](const auto& h) {
    return send_once(m_origin, path, h, nullptr, nullptr, true, what, 0);
  });
  if (r.status == 404)
    throw RemoteError(fmt::format("registry {}: {}: not found{}", m_host, what, short_body(r.body)));
  if (r.status != 200)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
  FetchedManifest m;
  m.bytes = std::move(r.body);
  m.digest = Sha256::of(m.bytes);
  m.media_type = r.header("Content-Type");
  if (const auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  if (reference.starts_with("sha256:") && m.digest.str() != reference)
    throw VerificationError(fmt::format("registry {}: {}: the registry served content with digest {}", m_host, what,
                                        m.digest.str()));
  if (const auto announced = r.header("Docker-Content-Digest"); !announced.empty() && announced != m.digest.str())
    throw VerificationError(fmt::format("registry {}: {}: announced digest {} but the content is {}", m_host, what,
                                        announced, m.digest.str()));
  return m;
}

void RegistryClient::get_blob(const std::string& repository, const Digest& digest, std::uint64_t size,
                              const ByteSink& sink) {
  const std::string what = fmt::format("blob {}@{}", repository, digest.str());
  std::uint64_t got = 0;
  for (int round = 1;; ++round) {
    const auto path = fmt::format("/v2/{}/blobs/{}", repository, digest.str());
    Response r = request(repository, "pull", what, {}, [&](const auto& h) {
      return send_once(m_origin, path, h, &sink, &got, true, what, 0);
    });
    if (r.status == 404)
      throw RemoteError(fmt::format("registry {}: {}: not found", m_host, what));
    if (r.status != 200 && r.status != 206)
      throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
    if (got == size) return;
    if (got > size)
      throw VerificationError(fmt::format("registry {}: {}: served more than the {} bytes its descriptor says", m_host,
                                          what, size));
    // The connection closed early: resume from where it stopped.
    if (round >= m_options.attempts)
      throw RemoteError(fmt::format("registry {}: {}: connection kept dropping after {} of {} bytes", m_host, what,
                                    got, size));
    std::this_thread::sleep_for(m_options.backoff);
  }
}

RegistryClient::Response RegistryClient::send_other(const std::string& method, const std::string& url,
                                                    std::map<std::string, std::string> headers,
                                                    const std::string& body, const std::string& content_type,
                                                    UploadSource* upload, const std::string& what) {
  auto [origin, path] = split_url(url);
  if (origin.empty()) origin = m_origin;
  if (origin != m_origin) {
    if (origin.starts_with("http://") && !m_options.insecure_hosts.contains(m_host))
      throw RemoteError(fmt::format("registry {}: {}: refusing to continue on plain HTTP {}", m_host, what, url));
    headers.erase("Authorization");  // an upload location elsewhere gets no credentials
  }
  const httplib::Headers h(headers.begin(), headers.end());
  auto& client = client_for(origin);
  std::exception_ptr source_error;
  std::uint64_t sent = 0;
  std::vector<std::uint8_t> buf;
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "HEAD") res = client.Head(path, h);
  else if (method == "DELETE") res = client.Delete(path, h);
  else if (method == "POST") res = client.Post(path, h, body, content_type);
  else if (method == "PUT" && !upload) res = client.Put(path, h, body, content_type);
  else if (method == "PUT" || method == "PATCH") {
    buf.resize(256 * 1024);
    using Streaming = httplib::Result (httplib::Client::*)(const std::string&, const httplib::Headers&, std::size_t,
                                                           httplib::ContentProvider, const std::string&);
    const Streaming send = method == "PUT" ? static_cast<Streaming>(&httplib::Client::Put)
                                           : static_cast<Streaming>(&httplib::Client::Patch);
    res = (client.*send)(
        path, h, static_cast<std::size_t>(upload->size),
        [&](std::size_t, std::size_t length, httplib::DataSink& sink) {
          try {
            const std::size_t n = upload->read(buf.data(), std::min(buf.size(), length));
            if (n == 0) throw UploadAbandoned{};
            sent += n;
            return sink.write(reinterpret_cast<const char*>(buf.data()), n);
          } catch (...) {
            source_error = std::current_exception();
            return false;  // cancels the request; rethrown below, never through httplib
          }
        },
        "application/octet-stream");
  } else {
    throw Error("registry client: unsupported method " + method);
  }
  if (source_error) std::rethrow_exception(source_error);
  Response out;
  if (!res) {
    const auto err = res.error();
    if (err == httplib::Error::SSLServerVerification) throw untrusted_certificate(m_host, what, origin);
    if (upload && sent > 0)
      throw RemoteError(fmt::format("registry {}: {}: {} after {} of {} bytes", m_host, what, transport_problem(err),
                                    sent, upload->size));
    out.status = -static_cast<int>(err);
    out.body = transport_problem(err);
    return out;
  }
  out.status = res->status;
  out.headers = res->headers;
  out.body = res->body.size() > k_max_small_body ? res->body.substr(0, k_max_small_body) : res->body;
  return out;
}

// A streamed body cannot rewind, so an upload is never retried once its
// source was read: what `request` would retry or re-authenticate fails here,
// and a re-run resumes, skipping the blobs already there.
RegistryClient::Response RegistryClient::streamed_once(Response r, const std::string& what) const {
  if (r.status == 401 || retryable_status(r.status) || r.status < 0)
    throw RemoteError(fmt::format("registry {}: {}: {}", m_host, what,
                                  r.status < 0 ? r.body : fmt::format("HTTP {}{}", r.status, short_body(r.body))));
  return r;
}

bool RegistryClient::has_blob(const std::string& repository, const Digest& digest) {
  const std::string what = fmt::format("blob {}@{}", repository, digest.str());
  const auto path = fmt::format("/v2/{}/blobs/{}", repository, digest.str());
  // Pull and push in one token, as the upload that may follow needs both.
  const Response r = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return send_other("HEAD", path, h, {}, {}, nullptr, what);
  });
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  throw RemoteError(fmt::format("registry {}: {}: HEAD answered HTTP {}", m_host, what, r.status));
}

std::optional<Digest> RegistryClient::manifest_digest(const std::string& repository, const std::string& reference) {
  const std::string what = manifest_what("manifest", repository, reference);
  const auto path = fmt::format("/v2/{}/manifests/{}", repository, reference);
  const Response r = request(repository, "pull,push", what, {{"Accept", manifest_accept()}}, [&](const auto& h) {
    return send_other("HEAD", path, h, {}, {}, nullptr, what);
  });
  if (r.status == 404) return std::nullopt;
  if (r.status != 200)
    throw RemoteError(fmt::format("registry {}: {}: HEAD answered HTTP {}", m_host, what, r.status));
  const auto d = Digest::parse(r.header("Docker-Content-Digest"));
  return d ? std::optional<Digest>(*d) : std::nullopt;
}

void RegistryClient::put_blob(const std::string& repository, const Digest& digest, UploadSource& source) {
  const std::string what = fmt::format("blob upload {}@{}", repository, digest.str());
  const auto start_path = fmt::format("/v2/{}/blobs/uploads/", repository);
  const Response started = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return send_other("POST", start_path, h, {}, {}, nullptr, what);
  });
  const auto location = started.header("Location");
  if (started.status != 202 || location.empty())
    throw RemoteError(fmt::format("registry {}: {}: starting the upload answered HTTP {}{}", m_host, what,
                                  started.status, short_body(started.body)));
  const auto with_digest = [&](const std::string& loc) {
    return fmt::format("{}{}digest={}", loc, loc.find('?') == std::string::npos ? '?' : '&', digest.str());
  };
  if (m_options.upload_chunk > 0) return put_blob_chunked(repository, what, location, with_digest, source);
  const auto url = with_digest(location);
  const Response r = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return streamed_once(send_other("PUT", url, h, {}, {}, &source, what), what);
  });
  if (r.status != 201)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
}

// POST was answered; the bytes go in PATCH requests of upload_chunk bytes
// (Content-Range from, to inclusive), each answered 202 with the next
// location, then an empty PUT with the digest commits the blob.
void RegistryClient::put_blob_chunked(const std::string& repository, const std::string& what, std::string location,
                                      const std::function<std::string(const std::string&)>& with_digest,
                                      UploadSource& source) {
  std::uint64_t offset = 0;
  while (offset < source.size) {
    const std::uint64_t n = std::min(m_options.upload_chunk, source.size - offset);
    UploadSource part{n, source.read};
    std::map<std::string, std::string> extra{{"Content-Range", fmt::format("{}-{}", offset, offset + n - 1)}};
    const Response r = request(repository, "pull,push", what, extra, [&](const auto& h) {
      return streamed_once(send_other("PATCH", location, h, {}, {}, &part, what),
                           fmt::format("{}: chunk at byte {}", what, offset));
    });
    location = r.header("Location");
    if (r.status != 202 || location.empty())
      throw RemoteError(fmt::format("registry {}: {}: chunk at byte {} answered HTTP {}{}", m_host, what, offset,
                                    r.status, short_body(r.body)));
    offset += n;
  }
  const Response r = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return send_other("PUT", with_digest(location), h, {}, "application/octet-stream", nullptr, what);
  });
  if (r.status != 201)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
}

bool RegistryClient::mount_blob(const std::string& repository, const Digest& digest, const std::string& from) {
  const std::string what = fmt::format("blob mount {}@{} from {}", repository, digest.str(), from);
  const auto path = fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", repository, digest.str(), from);
  const Response r = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return send_other("POST", path, h, {}, {}, nullptr, what);
  });
  if (r.status == 201) return true;
  if (r.status == 202) {
    // The registry opened an ordinary upload instead: cancel it (best effort).
    if (const auto location = r.header("Location"); !location.empty()) {
      auto h = std::map<std::string, std::string>{};
      if (const auto a = authorization("repository:" + repository + ":pull,push"); !a.empty()) h["Authorization"] = a;
      (void)send_other("DELETE", location, h, {}, {}, nullptr, what);
    }
    return false;
  }
  throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
}

void RegistryClient::put_manifest(const std::string& repository, const std::string& reference,
                                  const std::string& media_type, const std::string& bytes) {
  const std::string what = manifest_what("manifest push", repository, reference);
  const auto path = fmt::format("/v2/{}/manifests/{}", repository, reference);
  const Response r = request(repository, "pull,push", what, {}, [&](const auto& h) {
    return send_other("PUT", path, h, bytes, media_type, nullptr, what);
  });
  if (r.status != 201 && r.status != 200)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
  const auto stored = r.header("Docker-Content-Digest");
  if (const auto sent = Sha256::of(bytes).str(); !stored.empty() && stored != sent)
    throw RemoteError(fmt::format("registry {}: {}: the registry stored it as {}, not {}", m_host, what, stored, sent));
}

}  // namespace airlock
