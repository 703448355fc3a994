#pragma once
// Commits for the tests of importer/git_*.cpp: an identity in the
// environment, and a plan that writes fixed files.

#include "importer/git_commit.hpp"

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock::test {

using Files = std::vector<std::pair<std::string, std::string>>;

inline void set_identity() {
  ::setenv("GIT_AUTHOR_NAME", "Site Importer", 1);
  ::setenv("GIT_AUTHOR_EMAIL", "importer@site.example", 1);
  ::unsetenv("GIT_COMMITTER_NAME");  // falls back to the author
  ::unsetenv("GIT_COMMITTER_EMAIL");
}

inline UpdateResult commit_files(const std::string& url, const std::string& branch, Files files,
                                 const std::string& message, std::vector<std::string> replace_dirs = {},
                                 const GitOptions& options = {}) {
  return update_branch(url, branch, options, [&](const BranchSnapshot&) {
    return std::optional<CommitPlan>(CommitPlan{replace_dirs, files, message});
  });
}

}  // namespace airlock::test
