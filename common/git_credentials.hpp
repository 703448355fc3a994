#pragma once
// The credentials airlock offers a git remote. https://: one user and
// password (or token), chosen before the first request and sent with every
// request (see GitSession). ssh://: a key file, else the ssh agent, each
// offered once. The callback state says why authentication stopped, without
// the secret.

#include "common/git_handles.hpp"
#include "common/git_options.hpp"
#include "common/git_url.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace airlock {

struct StoredGitCredential {
  GitUrl url;  // with user and password
  int line = 0;
};

// The lines of a git-credential-store file (https://USER:PASSWORD@HOST[:PORT][/PATH])
// that name a user; git-credential-store skips the others too.
// Throws UsageError when the file cannot be read.
[[nodiscard]] std::vector<StoredGitCredential> read_git_credentials_file(const std::filesystem::path& file);

struct HttpsCredential {
  std::string source;  // where it came from, for messages; never the secret
  std::string user, password;
};

// The https:// credential for `url`, the first of: user:password in the URL
// itself; $AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD; $AIRLOCK_GIT_TOKEN
// (user "x-access-token"); the most specific line of `stored` for the URL,
// matched as git-credential-store does (scheme, host, port, path prefix, and
// the user when the URL names one). `stored` was read from
// `options.credentials_file`. nullopt for other schemes or when none applies.
[[nodiscard]] std::optional<HttpsCredential> https_credential(const std::string& url, const GitOptions& options,
                                                              const std::vector<StoredGitCredential>& stored);

// The state of libgit2's credential callback during one fetch or push.
class GitCredentialState {
public:
  // `sent`: the https:// credential every request of the operation carries
  // (a challenge after it means it was refused); null when none.
  GitCredentialState(const GitOptions& options, const HttpsCredential* sent) : m_options(&options), m_sent(sent) {}

  // Answers libgit2's credential callback: 0 with `*out` set, or GIT_EAUTH
  // with note() saying why (and libgit2's error set to it).
  int acquire(git_credential** out, const std::string& url, const std::string& url_user, unsigned int allowed);
  // Stops authentication: GIT_EAUTH, with `why` as note() and libgit2's error.
  int give_up(std::string why);
  // Why authentication stopped; empty when it did not. Never holds a secret.
  [[nodiscard]] const std::string& note() const { return m_note; }

private:
  const GitOptions* m_options;
  const HttpsCredential* m_sent;
  std::set<std::string> m_tried;
  std::string m_note;
};

}  // namespace airlock
