#pragma once
// A client of the OCI distribution API (cpp-httplib over OpenSSL): manifest
// and blob GET/HEAD with the registry's auth challenge (anonymous, basic,
// bearer token per scope), TLS verified against the system store plus a
// private CA, plain HTTP only for hosts named insecure, retries with
// backoff on 429, 5xx and dropped connections (blob downloads resume where
// they stopped), and redirects to blob storage on another host followed
// without sending the registry's credentials there.

#include "common/registry_auth.hpp"
#include "common/sha256.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>

namespace httplib {
class Client;
}

namespace airlock {

struct RegistryOptions {
  std::optional<std::filesystem::path> ca_file;
  std::set<std::string> insecure_hosts;  // host[:port] spoken to over plain HTTP
  int attempts = 4;
  std::chrono::milliseconds backoff{250};
  std::chrono::seconds timeout{60};
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

using ByteSink = std::function<void(std::span<const std::uint8_t>)>;

// The body of a streaming blob upload: `read` fills up to `cap` bytes and
// returns how many; it may block until bytes arrive, and returns 0 (or
// throws) to abandon the upload.
struct UploadSource {
  std::uint64_t size = 0;
  std::function<std::size_t(std::uint8_t* buf, std::size_t cap)> read;
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
  // registry fails or has no such image; VerificationError when the bytes
  // do not match the digest asked for or the one the registry announces.
  [[nodiscard]] FetchedManifest get_manifest(const std::string& repository, const std::string& reference);

  // Streams a blob of `size` bytes into `sink`, each byte once even across
  // retries. The caller hashes and checks. RemoteError on failure.
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

  // Cross-repository mount (POST ?mount=&from=). False when the registry
  // would not mount; the upload it opened instead is cancelled.
  [[nodiscard]] bool mount_blob(const std::string& repository, const Digest& digest, const std::string& from);

  // PUT of a manifest or index under a tag or its digest.
  void put_manifest(const std::string& repository, const std::string& reference, const std::string& media_type,
                    const std::string& bytes);

private:
  struct Response;
  using Sender = std::function<Response(const std::map<std::string, std::string>& headers)>;
  // Auth (challenge, token per repository and actions) and retries around
  // `send`, which makes one attempt with the headers given.
  Response request(const std::string& repository, const std::string& actions, const std::string& what,
                   const std::map<std::string, std::string>& headers, const Sender& send);
  // One request of any method but GET, to a URL or a path on the registry.
  Response send_other(const std::string& method, const std::string& url, std::map<std::string, std::string> headers,
                      const std::string& body, const std::string& content_type, UploadSource* upload,
                      const std::string& what);
  // A streamed upload's answer, or RemoteError where a retry would need the
  // body again.
  Response streamed_once(Response r, const std::string& what) const;
  void put_blob_chunked(const std::string& repository, const std::string& what, std::string location,
                        const std::function<std::string(const std::string&)>& with_digest, UploadSource& source);
  Response send_once(const std::string& origin, const std::string& path, std::map<std::string, std::string> headers,
                     const ByteSink* body_sink, std::uint64_t* resume_offset, bool same_registry,
                     const std::string& what, int redirects);
  // Refreshes the scope's Authorization unless another thread already
  // replaced `stale` meanwhile.
  void authenticate(const std::string& repository, const std::string& actions, const std::string& challenge_header,
                    const std::string& what, const std::string& stale);
  [[nodiscard]] std::string authorization(const std::string& scope);
  httplib::Client& client_for(const std::string& origin);

  std::string m_host;
  std::string m_origin;  // scheme://api-host[:port]
  RegistryOptions m_options;
  AuthStore m_auth;
  std::mutex m_mutex;       // guards the two maps
  std::mutex m_auth_mutex;  // one token request per scope at a time
  std::map<std::string, std::string> m_authorization;  // scope → Authorization header
  std::map<std::pair<std::string, std::thread::id>, std::unique_ptr<httplib::Client>> m_clients;
};

// The host[:port] a registry's API is reached at: "docker.io" →
// "registry-1.docker.io"; others unchanged. Throws UsageError for one that
// cannot be contacted as written: a port outside 1-65535, a bracketed IPv6
// literal that is not an address, or (cpp-httplib 0.11) one with hex letters.
[[nodiscard]] std::string registry_api_host(const std::string& host);

}  // namespace airlock
