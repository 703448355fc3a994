#pragma once
// A branch of a git remote, read and updated through libgit2 in a private
// temporary bare repository (no work tree): a snapshot of its tip for
// decisions made before any effect, and one commit pushed on top of it,
// never forced. Remotes: file://, git://, ssh:// (key file or agent),
// https:// (user/password or token; private CA).

#include "common/error.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct GitOptions {
  std::optional<std::filesystem::path> ssh_key;           // ssh:// private key; else ssh-agent
  std::optional<std::filesystem::path> ca_file;           // extra CA certificates for https://
  std::optional<std::filesystem::path> credentials_file;  // git-credential-store lines: https://user:pass@host[/path]
  // https:// credentials also come from $AIRLOCK_GIT_USERNAME and
  // $AIRLOCK_GIT_PASSWORD ($AIRLOCK_GIT_TOKEN: a token, user "x-access-token").
};

// The tip of a branch as fetched. Cheap to copy; keeps its repository.
class BranchSnapshot {
public:
  struct Impl;
  explicit BranchSnapshot(std::shared_ptr<const Impl> impl);

  [[nodiscard]] const std::string& url() const;
  [[nodiscard]] const std::string& branch() const;
  // The tip's commit id; nullopt when the branch (or the whole remote) is empty.
  [[nodiscard]] std::optional<std::string> commit() const;
  // A file's content at the tip; nullopt when there is no such file.
  [[nodiscard]] std::optional<std::string> read(const std::string& path) const;
  // Files under `dir` at the tip, recursively, as paths relative to `dir`, sorted.
  [[nodiscard]] std::vector<std::string> list(const std::string& dir) const;

private:
  std::shared_ptr<const Impl> m_impl;
};

struct CommitPlan {
  // Directories whose whole previous content is dropped: after the commit
  // they hold exactly the `files` under them.
  std::vector<std::string> replace_dirs;
  std::vector<std::pair<std::string, std::string>> files;  // path → content (added or replaced)
  std::string message;
};

struct UpdateResult {
  std::optional<std::string> commit;  // nullopt: the plan said there was nothing to commit
  bool created_branch = false;
  int attempts = 0;  // fetch-plan-push rounds (more than one: the branch moved meanwhile)
};

// The URL with the password of any user:password@ in it replaced by ***,
// for messages, reports and receipts.
[[nodiscard]] std::string redact_git_url(const std::string& url);

// Throws UsageError when no identity for a commit is configured (see
// update_branch): checked before an import has any effect.
void require_commit_identity();

// Fetches the branch (it may not exist yet).
// Throws RemoteError naming URL and branch when the remote cannot be read.
[[nodiscard]] BranchSnapshot fetch_branch(const std::string& url, const std::string& branch, const GitOptions& options);

// Fetch, plan, commit on the tip (a root commit on an empty branch), push
// without force. When the push is refused because the branch moved, fetch
// again and plan again, a few times. `plan` may throw (its error passes
// through, nothing is pushed) or return nullopt (nothing to commit).
// Author and committer: $GIT_AUTHOR_NAME/EMAIL and $GIT_COMMITTER_NAME/EMAIL,
// else user.name/user.email from git config; neither: UsageError.
[[nodiscard]] UpdateResult update_branch(const std::string& url, const std::string& branch, const GitOptions& options,
                                         const std::function<std::optional<CommitPlan>(const BranchSnapshot&)>& plan);

struct PromoteResult {
  enum class Kind { created, fast_forward, merged, up_to_date } kind = Kind::up_to_date;
  std::string commit;  // the tip of `to` afterwards
};

// Brings `from` into `to`: creates `to` at `from`'s tip when missing, else
// fast-forwards, else makes a merge commit (message "Promote FROM into TO").
// Files only `to` has (overlays/TO/) are kept. A conflict throws
// PromoteConflict listing the files, and `to` is not moved.
class PromoteConflict : public Error {
public:
  PromoteConflict(const std::string& message, std::vector<std::string> files)
      : Error(message), m_files(std::move(files)) {}
  [[nodiscard]] const std::vector<std::string>& files() const { return m_files; }

private:
  std::vector<std::string> m_files;
};
[[nodiscard]] PromoteResult promote_branch(const std::string& url, const std::string& from, const std::string& to,
                                           const GitOptions& options);

}  // namespace airlock
