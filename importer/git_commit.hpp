#pragma once
// One commit on the tip of a git remote's branch, pushed without force: the
// tree built in an in-memory index (a plan's files on the tip's tree), the
// commit made by the configured identity, and the rounds of fetch, plan and
// push that go on while the branch moves meanwhile.

#include "common/git_handles.hpp"
#include "common/git_options.hpp"
#include "importer/git_branch.hpp"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock {

class GitSession;  // common/git_session.hpp

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

// Throws UsageError when no identity for a commit is configured (see
// update_branch): checked before an import has any effect.
void require_commit_identity();

// Fetch, plan, commit on the tip (a root commit on an empty branch), push
// without force. When the push is refused because the branch moved, fetch
// again and plan again, a few times; a refusal while the branch did not
// move (a hook, a protected branch) is final: RemoteError. `plan` may throw
// (its error passes through, nothing is pushed) or return nullopt (nothing
// to commit). Author and committer: $GIT_AUTHOR_NAME/EMAIL and
// $GIT_COMMITTER_NAME/EMAIL, else user.name/user.email from git config;
// neither: UsageError. The remote's errors: as fetch_branch.
[[nodiscard]] UpdateResult update_branch(const std::string& url, const std::string& branch, const GitOptions& options,
                                         const std::function<std::optional<CommitPlan>(const BranchSnapshot&)>& plan);

// ---- shared with importer/git_promote.cpp ----------------------------------

struct CommitIdentity {
  std::string author_name, author_email, committer_name, committer_email;
};

// $GIT_AUTHOR_* and $GIT_COMMITTER_* (each falls back to the other), else
// user.name and user.email from git config. Needs libgit2 initialised.
// Throws UsageError saying how to set one when there is none.
[[nodiscard]] CommitIdentity commit_identity();

// A commit of `tree_id` on `parents`, made now by `who` (not on any ref).
// Throws UsageError for an identity git refuses, Error otherwise.
[[nodiscard]] git_oid make_commit(git_repository* repo, const CommitIdentity& who, std::string message,
                                  const git_oid& tree_id, const std::vector<const git_commit*>& parents);

// Fetch-decide-push rounds before giving up on a branch that keeps moving.
constexpr int k_max_push_attempts = 5;

// A push the remote refused, and the tip the commit was made on.
struct PushRefusal {
  std::optional<git_oid> tip;
  std::string reason;
};

// The refusal, once the fetch after it shows the branch where it was: it
// did not move, so the refusal is final. Throws RemoteError then.
void throw_if_final(const std::optional<PushRefusal>& refusal, const std::optional<git_oid>& tip,
                    const GitSession& session, const std::string& branch);

// The error after k_max_push_attempts refused pushes.
[[nodiscard]] RemoteError kept_moving(const GitSession& session, const std::string& branch, const PushRefusal& last);

}  // namespace airlock
