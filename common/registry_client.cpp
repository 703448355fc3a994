#include "common/registry_client.hpp"

#include "common/blob_upload.hpp"
#include "common/error.hpp"
#include "common/media_types.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <thread>

namespace airlock {

std::chrono::milliseconds default_stall_timeout() {
  if (const char* env = std::getenv("AIRLOCK_STALL_TIMEOUT")) {
    const std::string_view v(env);
    int seconds = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec == std::errc() && end == v.data() + v.size() && seconds >= 1 && seconds <= 3600)
      return std::chrono::seconds(seconds);
  }
  return k_stall_timeout;
}

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

namespace {

std::string manifest_accept() {
  return fmt::format("{}, {}, {}, {}", media_type::oci_manifest, media_type::oci_index, media_type::docker_manifest,
                     media_type::docker_manifest_list);
}

// "manifest org/app:1.0", "manifest push org/app@sha256:..." for messages.
std::string manifest_what(std::string_view action, const std::string& repository, const std::string& reference) {
  return fmt::format("{} {}{}{}", action, repository, reference.starts_with("sha256:") ? "@" : ":", reference);
}

std::string pull_scope(const std::string& repository) { return "repository:" + repository + ":pull"; }
// Pull and push in one token, as the upload that may follow a HEAD needs both.
std::string push_scope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }

std::string origin_of(const std::string& host, const RegistryOptions& options) {
  const bool insecure = options.insecure_hosts.contains(host);
  return (insecure ? "http://" : "https://") + registry_api_host(host);
}

TransportOptions transport_options(const std::string& host, const RegistryOptions& options) {
  TransportOptions t;
  t.ca_file = options.ca_file;
  t.allow_plain_http = options.insecure_hosts.contains(host);
  t.limits.stall_timeout = options.stall_timeout;
  t.limits.stall_min_bytes = k_stall_min_bytes;
  t.limits.max_header_bytes = k_max_response_header_bytes;
  t.limits.max_headers = k_max_response_headers;
  return t;
}

RetryPolicy retry_policy(const RegistryOptions& options) {
  return RetryPolicy{options.attempts, options.backoff, options.max_retry_after};
}

}  // namespace

RegistryClient::RegistryClient(std::string host, RegistryOptions options, AuthStore auth)
    : m_host(std::move(host)),
      m_origin(origin_of(m_host, options)),
      m_options(std::move(options)),
      m_transport(transport_options(m_host, m_options)),
      m_session(m_host, m_origin, std::move(auth), m_transport, retry_policy(m_options),
                m_options.insecure_hosts.contains(m_host)) {}

RegistryClient::~RegistryClient() = default;

FetchedManifest RegistryClient::get_manifest(const std::string& repository, const std::string& reference) {
  const std::string what = manifest_what("manifest", repository, reference);
  const auto url = fmt::format("{}/v2/{}/manifests/{}", m_origin, repository, reference);
  HttpResponse r = m_session.send(pull_scope(repository), what, url, {{"Accept", manifest_accept()}},
                                  [&](const HttpHeaders& h) { return m_transport.get(url, h, k_max_manifest_bytes); });
  if (r.status == 404) throw RemoteError(fmt::format("registry {}: {}: not found{}", m_host, what, short_body(r.body)));
  if (r.status != 200)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
  if (r.oversized)
    throw RemoteError(fmt::format("registry {}: {}: the manifest is larger than {} bytes (k_max_manifest_bytes): "
                                  "refused",
                                  m_host, what, k_max_manifest_bytes));
  FetchedManifest m;
  m.bytes = std::move(r.body);
  m.digest = Sha256::of(m.bytes);
  m.media_type = r.header("Content-Type");
  if (const auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  if (reference.starts_with("sha256:") && m.digest.str() != reference)
    throw VerificationError(
        fmt::format("registry {}: {}: the registry served content with digest {}", m_host, what, m.digest.str()));
  if (const auto announced = r.header("Docker-Content-Digest"); !announced.empty() && announced != m.digest.str())
    throw VerificationError(fmt::format("registry {}: {}: announced digest {} but the content is {}", m_host, what,
                                        announced, m.digest.str()));
  return m;
}

void RegistryClient::get_blob(const std::string& repository, const Digest& digest, std::uint64_t size,
                              const ByteSink& sink) {
  const std::string what = fmt::format("blob {}@{}", repository, digest.str());
  const auto url = fmt::format("{}/v2/{}/blobs/{}", m_origin, repository, digest.str());
  if (size > k_max_blob_bytes)
    throw RemoteError(fmt::format("registry {}: {}: its descriptor says {} bytes, more than any real blob ({} bytes, "
                                  "k_max_blob_bytes): refused",
                                  m_host, what, size, k_max_blob_bytes));
  std::uint64_t got = 0;
  // Never a byte past the size the (digest-checked) descriptor states.
  const ByteSink bounded = [&](std::span<const std::uint8_t> chunk) {
    if (chunk.size() > size - got)
      throw VerificationError(
          fmt::format("registry {}: {}: served more than the {} bytes its descriptor says", m_host, what, size));
    sink(chunk);
  };
  for (int round = 1;; ++round) {
    const HttpResponse r = m_session.send(pull_scope(repository), what, url, {}, [&](const HttpHeaders& h) {
      return m_transport.get_stream(url, h, bounded, got);
    });
    if (r.status == 404) throw RemoteError(fmt::format("registry {}: {}: not found", m_host, what));
    if (r.status != 200 && r.status != 206)
      throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
    if (got == size) return;
    if (got > size)
      throw VerificationError(
          fmt::format("registry {}: {}: served more than the {} bytes its descriptor says", m_host, what, size));
    // The connection closed early: resume from where it stopped.
    if (round >= m_options.attempts)
      throw RemoteError(
          fmt::format("registry {}: {}: connection kept dropping after {} of {} bytes", m_host, what, got, size));
    std::this_thread::sleep_for(m_options.backoff);
  }
}

bool RegistryClient::has_blob(const std::string& repository, const Digest& digest) {
  const std::string what = fmt::format("blob {}@{}", repository, digest.str());
  const auto url = fmt::format("{}/v2/{}/blobs/{}", m_origin, repository, digest.str());
  const HttpResponse r = m_session.send(push_scope(repository), what, url, {},
                                        [&](const HttpHeaders& h) { return m_transport.head(url, h); });
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  throw RemoteError(fmt::format("registry {}: {}: HEAD answered HTTP {}", m_host, what, r.status));
}

std::optional<Digest> RegistryClient::manifest_digest(const std::string& repository, const std::string& reference) {
  const std::string what = manifest_what("manifest", repository, reference);
  const auto url = fmt::format("{}/v2/{}/manifests/{}", m_origin, repository, reference);
  const HttpResponse r = m_session.send(push_scope(repository), what, url, {{"Accept", manifest_accept()}},
                                        [&](const HttpHeaders& h) { return m_transport.head(url, h); });
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw RemoteError(fmt::format("registry {}: {}: HEAD answered HTTP {}", m_host, what, r.status));
  const auto d = Digest::parse(r.header("Docker-Content-Digest"));
  return d ? std::optional<Digest>(*d) : std::nullopt;
}

void RegistryClient::put_blob(const std::string& repository, const Digest& digest, UploadSource& source) {
  upload_blob(m_session, m_transport, repository, digest, source, m_options.upload_chunk);
}

bool RegistryClient::mount_blob(const std::string& repository, const Digest& digest, const std::string& from) {
  return airlock::mount_blob(m_session, m_transport, repository, digest, from);
}

void RegistryClient::put_manifest(const std::string& repository, const std::string& reference,
                                  const std::string& media_type, const std::string& bytes) {
  const std::string what = manifest_what("manifest push", repository, reference);
  const auto url = fmt::format("{}/v2/{}/manifests/{}", m_origin, repository, reference);
  const HttpResponse r = m_session.send(push_scope(repository), what, url, {}, [&](const HttpHeaders& h) {
    return m_transport.put(url, h, bytes, media_type);
  });
  if (r.status != 201 && r.status != 200)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", m_host, what, r.status, short_body(r.body)));
  const auto stored = r.header("Docker-Content-Digest");
  if (const auto sent = Sha256::of(bytes).str(); !stored.empty() && stored != sent)
    throw RemoteError(fmt::format("registry {}: {}: the registry stored it as {}, not {}", m_host, what, stored, sent));
}

}  // namespace airlock
