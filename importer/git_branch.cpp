#include "importer/git_branch.hpp"

#include "importer/git_branch_impl.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace airlock {

void check_branch(const std::string& branch) {
  int valid = 0;
  if (branch.empty() || git_reference_name_is_valid(&valid, ("refs/heads/" + branch).c_str()) != 0 || !valid)
    throw UsageError(fmt::format("\"{}\" is not a valid git branch name", branch));
}

GitCommitPtr lookup_commit(git_repository* repo, const git_oid& id) {
  return git_make(fmt::format("cannot read commit {}", git_hex(id)), git_commit_lookup, repo, &id);
}

// Each branch goes to a private ref of its own, removed first, so that a
// branch the remote no longer has reads as missing.
std::vector<std::optional<git_oid>> fetch_tips(GitSession& session, const std::vector<std::string>& branches) {
  std::vector<std::string> specs;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const auto local = fmt::format("refs/airlock/fetched/{}", i);
    if (const int rc = git_reference_remove(session.repo(), local.c_str()); rc != 0 && rc != GIT_ENOTFOUND)
      throw Error(fmt::format("cannot reset {}: {}", local, git_error_text()));
    specs.push_back(fmt::format("+refs/heads/{}:{}", branches[i], local));
  }
  const auto what = fmt::format("{} {}", branches.size() == 1 ? "branch" : "branches", fmt::join(branches, " and "));
  session.fetch(specs, what);
  std::vector<std::optional<git_oid>> tips;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    git_oid id;
    const int rc = git_reference_name_to_id(&id, session.repo(), fmt::format("refs/airlock/fetched/{}", i).c_str());
    if (rc == GIT_ENOTFOUND)
      tips.emplace_back();
    else if (rc == 0)
      tips.emplace_back(id);
    else
      throw Error(fmt::format("git remote {} branch {}: {}", session.shown_url(), branches[i], git_error_text()));
  }
  return tips;
}

BranchSnapshot::Impl::Impl(std::shared_ptr<GitSession> s, const std::string& b, const std::optional<git_oid>& t)
    : session(std::move(s)), url(session->url()), branch(b), tip(t) {
  if (!tip) return;
  commit = lookup_commit(session->repo(), *tip);
  tree = git_make(fmt::format("git remote {} branch {}: cannot read the tree of {}", session->shown_url(), branch,
                              git_hex(*tip)),
                  git_commit_tree, commit.get());
}

std::string BranchSnapshot::Impl::where() const {
  return fmt::format("git remote {} branch {} at {}", session->shown_url(), branch, tip ? git_hex(*tip) : "(none)");
}

GitTreeEntryPtr BranchSnapshot::Impl::entry(const std::string& path) const {
  return git_find(fmt::format("{}: cannot read {}", where(), path), git_tree_entry_bypath, tree.get(), path.c_str());
}

BranchSnapshot::BranchSnapshot(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

const std::string& BranchSnapshot::url() const { return m_impl->url; }
const std::string& BranchSnapshot::branch() const { return m_impl->branch; }

std::optional<std::string> BranchSnapshot::commit() const {
  if (!m_impl->tip) return std::nullopt;
  return git_hex(*m_impl->tip);
}

std::optional<std::string> BranchSnapshot::read(const std::string& path) const {
  if (!m_impl->tree || path.empty()) return std::nullopt;
  const auto entry = m_impl->entry(path);
  if (!entry || git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  const auto blob = git_make(fmt::format("{}: cannot read {}", m_impl->where(), path), git_blob_lookup,
                             m_impl->session->repo(), git_tree_entry_id(entry.get()));
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

std::vector<std::string> BranchSnapshot::list(const std::string& dir) const {
  if (!m_impl->tree) return {};
  std::string clean = dir;
  while (clean.ends_with('/')) clean.pop_back();
  GitTreePtr sub;
  if (!clean.empty() && clean != ".") {
    const auto entry = m_impl->entry(clean);
    if (!entry || git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) return {};
    sub = git_make(fmt::format("{}: cannot read {}", m_impl->where(), clean), git_tree_lookup, m_impl->session->repo(),
                   git_tree_entry_id(entry.get()));
  }
  std::vector<std::string> out;
  const auto collect = [](const char* root, const git_tree_entry* e, void* payload) -> int {
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
      static_cast<std::vector<std::string>*>(payload)->push_back(std::string(root) + git_tree_entry_name(e));
    return 0;
  };
  if (git_tree_walk(sub ? sub.get() : m_impl->tree.get(), GIT_TREEWALK_PRE, collect, &out) != 0)
    throw Error(fmt::format("{}: cannot list {}: {}", m_impl->where(), dir, git_error_text()));
  std::sort(out.begin(), out.end());
  return out;
}

BranchSnapshot fetch_branch(const std::string& url, const std::string& branch, const GitOptions& options) {
  auto session = std::make_shared<GitSession>(url, options);
  check_branch(branch);
  const auto tip = fetch_tips(*session, {branch}).front();
  return BranchSnapshot(std::make_shared<const BranchSnapshot::Impl>(session, branch, tip));
}

}  // namespace airlock
