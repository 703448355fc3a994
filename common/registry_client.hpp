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
};

struct FetchedManifest {
  std::string media_type;
  std::string bytes;
  Digest digest;
};

using ByteSink = std::function<void(std::span<const std::uint8_t>)>;

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

private:
  struct Response;
  Response request(const std::string& repository, const std::string& path, const std::string& what,
                   const std::map<std::string, std::string>& headers, const ByteSink* body_sink,
                   std::uint64_t* resume_offset);
  Response send_once(const std::string& origin, const std::string& path, std::map<std::string, std::string> headers,
                     const ByteSink* body_sink, std::uint64_t* resume_offset, bool same_registry,
                     const std::string& what, int redirects);
  // Refreshes the scope's Authorization unless another thread already
  // replaced `stale` meanwhile.
  void authenticate(const std::string& repository, const std::string& challenge_header, const std::string& what,
                    const std::string& stale);
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

// "docker.io" → "registry-1.docker.io"; others unchanged.
[[nodiscard]] std::string registry_api_host(const std::string& host);

}  // namespace airlock
