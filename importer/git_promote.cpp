#include "importer/git_promote.hpp"

#include "importer/git_branch_impl.hpp"
#include "importer/git_commit.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

namespace airlock {
namespace {

bool descends(git_repository* repo, const git_oid& commit, const git_oid& ancestor) {
  const int rc = git_graph_descendant_of(repo, &commit, &ancestor);
  if (rc < 0)
    throw Error(fmt::format("cannot compare {} with {}: {}", git_hex(commit), git_hex(ancestor), git_error_text()));
  return rc == 1;
}

// The merge commit of `from` into `to`; PromoteConflict when they conflict.
git_oid merge(GitSession& session, const std::string& from, const std::string& to, const git_oid& from_tip,
              const git_oid& to_tip, const CommitIdentity& who) {
  git_repository* repo = session.repo();
  const auto ours = lookup_commit(repo, to_tip);
  const auto theirs = lookup_commit(repo, from_tip);
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  const auto index = git_make(fmt::format("git remote {}: cannot merge {} into {}", session.shown_url(), from, to),
                              git_merge_commits, repo, ours.get(), theirs.get(), &opts);
  if (git_index_has_conflicts(index.get())) {
    const auto it = git_make("cannot list the merge conflicts", git_index_conflict_iterator_new, index.get());
    std::set<std::string> paths;
    const git_index_entry *ancestor = nullptr, *our = nullptr, *their = nullptr;
    while (git_index_conflict_next(&ancestor, &our, &their, it.get()) == 0)
      for (const auto* e : {our, their, ancestor})
        if (e) paths.insert(e->path);
    std::vector<std::string> files(paths.begin(), paths.end());
    throw PromoteConflict(fmt::format("git remote {}: promoting {} into {}: merge conflict in {}; {} was not changed "
                                      "(merge {} into {} in a clone, resolve the conflict and push, then promote "
                                      "again)",
                                      session.shown_url(), from, to, fmt::join(files, ", "), to, from, to),
                          files);
  }
  git_oid tree;
  if (git_index_write_tree_to(&tree, index.get(), repo) != 0)
    throw Error(fmt::format("cannot write the merged tree: {}", git_error_text()));
  return make_commit(repo, who, fmt::format("Promote {} into {}", from, to), tree, {ours.get(), theirs.get()});
}

}  // namespace

PromoteResult promote_branch(const std::string& url, const std::string& from, const std::string& to,
                             const GitOptions& options) {
  GitSession session(url, options);
  check_branch(from);
  check_branch(to);
  if (from == to) throw UsageError(fmt::format("cannot promote branch {} into itself", from));
  std::optional<CommitIdentity> who;  // only a merge commit needs one
  std::optional<PushRefusal> refusal;
  for (int attempt = 1; attempt <= k_max_push_attempts; ++attempt) {
    const auto tips = fetch_tips(session, {from, to});
    if (!tips[0]) throw UsageError(fmt::format("git remote {} has no branch {} to promote", session.shown_url(), from));
    throw_if_final(refusal, tips[1], session, to);
    const git_oid from_tip = *tips[0];
    PromoteResult result;
    git_oid target = from_tip;
    if (!tips[1]) {
      result.kind = PromoteResult::Kind::created;
    } else {
      const git_oid to_tip = *tips[1];
      if (git_oid_equal(&from_tip, &to_tip) || descends(session.repo(), to_tip, from_tip))
        return {PromoteResult::Kind::up_to_date, git_hex(to_tip)};
      if (descends(session.repo(), from_tip, to_tip)) {
        result.kind = PromoteResult::Kind::fast_forward;
      } else {
        if (!who) who = commit_identity();
        result.kind = PromoteResult::Kind::merged;
        target = merge(session, from, to, from_tip, to_tip, *who);
      }
    }
    result.commit = git_hex(target);
    auto refused = session.push(target, to);
    if (!refused) return result;
    refusal = PushRefusal{tips[1], std::move(*refused)};
  }
  throw kept_moving(session, to, *refusal);
}

}  // namespace airlock
