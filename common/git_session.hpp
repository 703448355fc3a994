#pragma once
// A git remote seen through a private temporary bare repository (no work
// tree) that libgit2 fetches into and pushes from, with the remote's
// transport settings: the CA file, the https:// credential as a header on
// every request, the credential callback for ssh://, no redirects while a
// credential is sent. Import, promote and the packer's git manifests all
// reach their remotes through one of these; every message names the remote
// by its redacted URL.

#include "common/git_credentials.hpp"
#include "common/git_handles.hpp"
#include "common/git_options.hpp"
#include "common/temp_dir.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct GitSessionCallbacks;

class GitSession {
public:
  // Throws UsageError for an unsupported URL (common/git_url.hpp), a missing
  // ssh key or CA file, a CA file libgit2 cannot load, an unreadable
  // credentials file; Error when the temporary repository cannot be made.
  GitSession(std::string url, GitOptions options);
  GitSession(const GitSession&) = delete;
  GitSession& operator=(const GitSession&) = delete;
  ~GitSession();

  [[nodiscard]] git_repository* repo() const { return m_repo.get(); }
  [[nodiscard]] const std::string& url() const { return m_url; }
  // The URL for messages: redact_git_url(url()).
  [[nodiscard]] const std::string& shown_url() const { return m_shown_url; }

  struct AdvertisedRef {
    std::string name;  // refs/heads/main, refs/tags/v1, refs/tags/v1^{} (an annotated tag's commit), HEAD
    git_oid id;
  };
  // Connects and returns the refs the remote advertises. The connection
  // stays open for the next fetch, which then costs no second handshake.
  // Throws RemoteError "git remote URL[ WHAT]: fetch failed: REASON" (with
  // a hint for an untrusted certificate or an unknown ssh host key).
  [[nodiscard]] std::vector<AdvertisedRef> advertised(std::string_view what);

  // Fetches `refspecs` into the repository; no tags besides, no FETCH_HEAD.
  // Throws RemoteError as advertised() does.
  void fetch(const std::vector<std::string>& refspecs, std::string_view what);

  // Pushes `commit` to refs/heads/BRANCH without force. nullopt: done; else
  // why the remote refused the update (not a fast-forward, a hook's status).
  // Throws RemoteError "git remote URL branch BRANCH: push of ID failed: ..."
  // when the push fails otherwise.
  [[nodiscard]] std::optional<std::string> push(const git_oid& commit, const std::string& branch);

private:
  void start_operation();
  void end_operation() noexcept;
  template <typename Options>
  void set_transport(Options& opts);
  [[nodiscard]] std::string fetch_failed(std::string_view what) const;
  [[nodiscard]] std::string failure_text() const;

  GitLibrary m_lib;
  TempDir m_dir{"airlock-git"};
  GitRepositoryPtr m_repo;
  std::string m_url;
  std::string m_shown_url;
  GitOptions m_options;
  std::optional<HttpsCredential> m_credential;
  std::string m_auth_header;
  char* m_header = nullptr;  // m_auth_header's data, as libgit2's custom_headers takes it
  // The operation in progress: its callbacks' state, then the remote (freed first).
  std::unique_ptr<GitSessionCallbacks> m_callbacks;
  GitRemotePtr m_remote;
};

}  // namespace airlock
