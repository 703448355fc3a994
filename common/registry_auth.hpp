#pragma once
// Registry credentials and auth challenges.
//
// Credentials come from the file `docker login`, podman and skopeo write:
// --auth-file, else $REGISTRY_AUTH_FILE, else ~/.docker/config.json. An
// entry's "auth" is base64 of user:password; "identitytoken" is an OAuth2
// refresh token for the bearer flow.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;
};

class AuthStore {
public:
  AuthStore() = default;
  // Reads the file `explicit_path` names, else the environment's default.
  // A missing default file is no error (anonymous access); a missing
  // explicit file or a malformed one is a UsageError naming it.
  [[nodiscard]] static AuthStore load(const std::optional<std::filesystem::path>& explicit_path);

  // Credentials for a registry host[:port]; docker.io also matches Docker
  // Hub's historical key https://index.docker.io/v1/.
  [[nodiscard]] std::optional<Credentials> find(std::string_view host) const;
  [[nodiscard]] const std::string& source() const noexcept { return m_source; }

  void add(std::string host, Credentials creds) { m_entries[std::move(host)] = std::move(creds); }

private:
  std::map<std::string, Credentials> m_entries;  // keyed by normalised host
  std::string m_source = "(no auth file)";
};

// A WWW-Authenticate challenge: scheme "basic" or "bearer" (lowercase) and
// its parameters (realm, service, scope, ...).
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

[[nodiscard]] std::optional<AuthChallenge> parse_auth_challenge(std::string_view header);

}  // namespace airlock
