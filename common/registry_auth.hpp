#pragma once
// Registry credentials and auth challenges.
//
// Credentials come from the file `docker login`, podman and skopeo write:
// --auth-file, else $REGISTRY_AUTH_FILE, else ~/.docker/config.json. An
// entry's "auth" is base64 of user:password; "identitytoken" is an OAuth2
// refresh token for the bearer flow. As docker does, a credential helper the
// file names for the host ("credHelpers"), else its default helper
// ("credsStore"), is asked first; the "auths" entry is the fallback when the
// helper has none.

#include <chrono>
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
  // Hub's historical key https://index.docker.io/v1/. Runs the host's
  // credential helper the first time (UsageError when it fails).
  [[nodiscard]] std::optional<Credentials> find(std::string_view host);
  // Where credentials come from, for messages: the file, and the helper
  // when one was asked.
  [[nodiscard]] std::string source() const;

  void add(std::string host, Credentials creds) { m_entries[std::move(host)] = std::move(creds); }

  // How long a helper may take (it may wait for a keyring unlock).
  std::chrono::seconds helper_timeout{120};

private:
  std::map<std::string, Credentials> m_entries;               // keyed by normalised host
  std::map<std::string, std::string> m_helpers;               // host → helper name ("credHelpers")
  std::string m_default_helper;                               // "credsStore"
  std::map<std::string, std::optional<Credentials>> m_asked;  // helper answers, by host
  std::string m_source = "(no auth file)";
  std::string m_asked_helper;  // the last helper asked, for source()
};

// A WWW-Authenticate challenge: scheme "basic" or "bearer" (lowercase) and
// its parameters (realm, service, scope, ...).
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

[[nodiscard]] std::optional<AuthChallenge> parse_auth_challenge(std::string_view header);

}  // namespace airlock
