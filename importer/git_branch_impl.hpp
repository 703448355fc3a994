#pragma once
// What importer/git_branch.cpp, git_commit.cpp and git_promote.cpp share
// about fetched branches; not for other files.

#include "common/git_handles.hpp"
#include "common/git_session.hpp"
#include "importer/git_branch.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct BranchSnapshot::Impl {
  std::shared_ptr<GitSession> session;
  std::string url;
  std::string branch;
  std::optional<git_oid> tip;
  GitCommitPtr commit;  // null without a tip
  GitTreePtr tree;      // null without a tip

  // Throws Error when the tip's commit or tree cannot be read.
  Impl(std::shared_ptr<GitSession> s, const std::string& b, const std::optional<git_oid>& t);

  // "git remote URL branch BRANCH at ID", the URL redacted.
  [[nodiscard]] std::string where() const;
  // The entry at `path`; null when there is none. Throws Error.
  [[nodiscard]] GitTreeEntryPtr entry(const std::string& path) const;
};

// Throws UsageError unless `branch` is a valid git branch name.
void check_branch(const std::string& branch);

// Fetches the branches and returns their tips, in order; nullopt for a
// branch the remote does not have. Throws RemoteError naming URL and
// branches.
[[nodiscard]] std::vector<std::optional<git_oid>> fetch_tips(GitSession& session,
                                                             const std::vector<std::string>& branches);

// The commit `id`. Throws Error.
[[nodiscard]] GitCommitPtr lookup_commit(git_repository* repo, const git_oid& id);

}  // namespace airlock
