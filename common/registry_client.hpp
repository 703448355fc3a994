#pragma once
// A client of the OCI distribution API: manifests and blobs by GET, HEAD
// and PUT, uploads and mounts, over the pieces it is made of:
//   common/http_transport   HTTP over cpp-httplib and OpenSSL, redirects, streaming
//   common/http_connection  one connection, its header caps and stall window
//   common/http_limits      every limit on what a registry sends
//   common/retry_policy     which failures are retried, and how long to wait
//   common/registry_session the auth challenge, tokens per scope, the request loop
//   common/blob_upload      POST, streaming PUT with ?digest=, PATCH chunks, mounts
// TLS is verified against the system store plus a private CA; plain HTTP
// only for hosts named insecure; blob downloads resume where they stopped;
// redirects to blob storage on another host are followed without the
// registry's credentials.

#include "common/http_limits.hpp"
#include "common/http_transport.hpp"
#include "common/registry_auth.hpp"
#include "common/registry_session.hpp"
#include "common/sha256.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace airlock {

// $AIRLOCK_STALL_TIMEOUT (whole seconds, 1 to 3600) when it is set to one,
// else k_stall_timeout.
[[nodiscard]] std::chrono::milliseconds default_stall_timeout();

struct RegistryOptions {
  std::optional<std::filesystem::path> ca_file;
  std::set<std::string> insecure_hosts;  // host[:port] spoken to over plain HTTP
  int attempts = 4;
  std::chrono::milliseconds backoff{250};
  std::chrono::milliseconds max_retry_after{k_max_retry_after};  // a Retry-After's cap
  // No transfer may move fewer than k_stall_min_bytes in this long.
  std::chrono::milliseconds stall_timeout = default_stall_timeout();
  // 0: a blob goes up in one streaming PUT. Else in PATCH requests of at
  // most this many bytes, for registries (or proxies in front of them)
  // that cap a request's body.
  std::uint64_t upload_chunk = 0;
};

struct FetchedManifest {
  std::string media_type;
  std::string bytes;
  Digest digest;
};

// Safe to use from several threads: each thread gets its own connection;
// tokens are shared.
class RegistryClient {
public:
  // `host` is host[:port] as references name it; docker.io is served by
  // registry-1.docker.io.
  RegistryClient(std::string host, RegistryOptions options, AuthStore auth);
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;
  ~RegistryClient();

  [[nodiscard]] const std::string& host() const noexcept { return m_host; }

  // A manifest or index by tag or "sha256:..." digest. RemoteError when the
  // registry fails, has no such image, or serves more than
  // k_max_manifest_bytes; VerificationError when the bytes
  // do not match the digest asked for or the one the registry announces.
  [[nodiscard]] FetchedManifest get_manifest(const std::string& repository, const std::string& reference);

  // Streams a blob of `size` bytes into `sink`, each byte once even across
  // retries, never more than `size`. The caller hashes and checks.
  // RemoteError on failure or a size past k_max_blob_bytes;
  // VerificationError when the registry serves more than `size` bytes.
  void get_blob(const std::string& repository, const Digest& digest, std::uint64_t size, const ByteSink& sink);

  // Whether `repository` holds the blob (HEAD).
  [[nodiscard]] bool has_blob(const std::string& repository, const Digest& digest);

  // The digest the registry serves for a tag or digest (HEAD), if any.
  [[nodiscard]] std::optional<Digest> manifest_digest(const std::string& repository, const std::string& reference);

  // POST then one streaming monolithic PUT with ?digest=, so the registry
  // checks the bytes too (or PATCH chunks then PUT, with upload_chunk).
  // Not retried once the body has started: the source cannot rewind (a
  // re-run resumes, skipping what is there).
  void put_blob(const std::string& repository, const Digest& digest, UploadSource& source);

  // put_blob unless `repository` has the blob (then false, nothing sent),
  // asked by the POST that opens the upload (a mount from the repository
  // itself). Where mounts are not supported the blob is sent (true) even if
  // it is there: for small blobs, where that costs less than a HEAD.
  [[nodiscard]] bool put_blob_unless_present(const std::string& repository, const Digest& digest, UploadSource& source);

  // Cross-repository mount (POST ?mount=&from=). False when the registry
  // would not mount; the upload it opened instead is cancelled.
  [[nodiscard]] bool mount_blob(const std::string& repository, const Digest& digest, const std::string& from);

  // PUT of a manifest or index under a tag or its digest.
  void put_manifest(const std::string& repository, const std::string& reference, const std::string& media_type,
                    const std::string& bytes);

private:
  std::string m_host;
  std::string m_origin;  // scheme://api-host[:port]
  RegistryOptions m_options;
  HttpTransport m_transport;
  RegistrySession m_session;
};

// The host[:port] a registry's API is reached at: "docker.io" →
// "registry-1.docker.io"; others unchanged. Throws UsageError for one that
// cannot be contacted as written: a port outside 1-65535, a bracketed IPv6
// literal that is not an address, or (cpp-httplib 0.11) one with hex letters.
[[nodiscard]] std::string registry_api_host(const std::string& host);

}  // namespace airlock
