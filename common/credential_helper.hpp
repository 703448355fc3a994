#pragma once
// Docker credential helpers: the programs `docker login` stores registry
// credentials with when an auth file names one (`credsStore`, or
// `credHelpers` per host). The protocol: run `docker-credential-NAME get`,
// write the server address to its stdin, read
// {"ServerURL", "Username", "Secret"} from its stdout; a Username of
// "<token>" makes the Secret an identity (refresh) token.

#include <chrono>
#include <optional>
#include <string>

namespace airlock {

struct HelperCredentials {
  std::string username;
  std::string secret;
};

// The helper's credentials for `server`; nullopt when it has none. Throws
// UsageError naming the helper and server when the helper is not installed,
// fails, times out or answers something that is not its protocol.
[[nodiscard]] std::optional<HelperCredentials> run_credential_helper(const std::string& helper,
                                                                     const std::string& server,
                                                                     std::chrono::seconds timeout);

}  // namespace airlock
