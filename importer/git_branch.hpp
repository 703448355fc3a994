#pragma once
// A branch of a git remote as fetched: a snapshot of its tip, read through
// libgit2 in a private temporary bare repository (common/git_session.hpp),
// for decisions made before any effect. Updating a branch is
// importer/git_commit.hpp; promoting one into another importer/git_promote.hpp.
// Remotes: file://, git://, ssh:// (key file or agent), https:// (user/password
// or token; private CA).

#include "common/git_options.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

// The tip of a branch as fetched. Cheap to copy; keeps its repository.
class BranchSnapshot {
public:
  struct Impl;  // importer/git_branch_impl.hpp
  explicit BranchSnapshot(std::shared_ptr<const Impl> impl);

  [[nodiscard]] const std::string& url() const;
  [[nodiscard]] const std::string& branch() const;
  // The tip's commit id; nullopt when the branch (or the whole remote) is empty.
  [[nodiscard]] std::optional<std::string> commit() const;
  // A file's content at the tip; nullopt when there is no such file.
  // Throws Error when the repository cannot be read.
  [[nodiscard]] std::optional<std::string> read(const std::string& path) const;
  // Files under `dir` at the tip, recursively, as paths relative to `dir`, sorted.
  // Throws Error when the repository cannot be read.
  [[nodiscard]] std::vector<std::string> list(const std::string& dir) const;

private:
  std::shared_ptr<const Impl> m_impl;
};

// Fetches the branch (it may not exist yet). Throws UsageError for a bad URL,
// branch name or option file (common/git_session.hpp), RemoteError naming
// URL and branch when the remote cannot be read.
[[nodiscard]] BranchSnapshot fetch_branch(const std::string& url, const std::string& branch, const GitOptions& options);

}  // namespace airlock
