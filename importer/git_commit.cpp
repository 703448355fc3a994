#include "importer/git_commit.hpp"

// The tree of a commit is built in an in-memory index from the tip's tree
// and the plan; the commit is created in the session's repository and
// pushed with a non-forced refspec. A push is refused when it is not a
// fast-forward of the branch: libgit2 checks against what the remote
// advertises (GIT_ENONFASTFORWARD), and the server checks again when it
// updates the ref (a status in the push_update_reference callback). Either
// way update_branch fetches again and goes round once more, up to
// k_max_push_attempts.

#include "importer/git_branch_impl.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace airlock {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string config_string(git_config* config, const char* name) {
  const auto entry = git_find(fmt::format("cannot read {} from git config", name), git_config_get_entry, config, name);
  return entry && entry->value ? entry->value : "";
}

GitSignaturePtr signature(const std::string& name, const std::string& email) {
  return git_make<UsageError>(fmt::format("invalid git identity \"{} <{}>\"", name, email), git_signature_now,
                              name.c_str(), email.c_str());
}

struct BuiltTree {
  git_oid id;
  bool empty;
};

// The tip's tree (or nothing), without the replaced directories, with the files.
BuiltTree build_tree(git_repository* repo, const git_tree* base, const CommitPlan& plan) {
  const auto index = git_make("cannot create a git index", git_index_new);
  if (base && git_index_read_tree(index.get(), base) != 0)
    throw Error(fmt::format("cannot read the tip's tree: {}", git_error_text()));
  for (auto dir : plan.replace_dirs) {
    while (dir.ends_with('/')) dir.pop_back();
    const int rc = dir.empty() || dir == "." ? git_index_clear(index.get())
                                             : git_index_remove_directory(index.get(), dir.c_str(), 0);
    if (rc != 0) throw Error(fmt::format("cannot drop {}/: {}", dir, git_error_text()));
  }
  for (const auto& [path, content] : plan.files) {
    git_index_entry entry{};
    entry.mode = GIT_FILEMODE_BLOB;
    entry.path = path.c_str();
    entry.file_size = static_cast<std::uint32_t>(content.size());
    if (git_blob_create_from_buffer(&entry.id, repo, content.data(), content.size()) != 0 ||
        git_index_add(index.get(), &entry) != 0)
      throw Error(fmt::format("cannot add {} to the git commit: {}", path, git_error_text()));
  }
  BuiltTree out{};
  out.empty = git_index_entrycount(index.get()) == 0;
  if (git_index_write_tree_to(&out.id, index.get(), repo) != 0)
    throw Error(fmt::format("cannot write the git tree: {}", git_error_text()));
  return out;
}

bool same(const std::optional<git_oid>& a, const std::optional<git_oid>& b) {
  return a.has_value() == b.has_value() && (!a || git_oid_equal(&*a, &*b));
}

}  // namespace

CommitIdentity commit_identity() {
  auto an = env("GIT_AUTHOR_NAME"), ae = env("GIT_AUTHOR_EMAIL");
  auto cn = env("GIT_COMMITTER_NAME"), ce = env("GIT_COMMITTER_EMAIL");
  if (an.empty()) an = cn;
  if (cn.empty()) cn = an;
  if (ae.empty()) ae = ce;
  if (ce.empty()) ce = ae;
  if (an.empty() || ae.empty()) {
    const auto config = git_make<UsageError>("cannot read the git configuration", git_config_open_default);
    if (an.empty()) an = cn = config_string(config.get(), "user.name");
    if (ae.empty()) ae = ce = config_string(config.get(), "user.email");
  }
  if (an.empty() || ae.empty())
    throw UsageError("no identity for the git commit: set $GIT_AUTHOR_NAME and $GIT_AUTHOR_EMAIL (and "
                     "$GIT_COMMITTER_NAME/$GIT_COMMITTER_EMAIL if the committer differs), or run "
                     "git config --global user.name NAME and git config --global user.email EMAIL");
  return {an, ae, cn, ce};
}

git_oid make_commit(git_repository* repo, const CommitIdentity& who, std::string message, const git_oid& tree_id,
                    const std::vector<const git_commit*>& parents) {
  const auto author = signature(who.author_name, who.author_email);
  const auto committer = signature(who.committer_name, who.committer_email);
  const auto tree = git_make(fmt::format("cannot read tree {}", git_hex(tree_id)), git_tree_lookup, repo, &tree_id);
  if (!message.ends_with('\n')) message += '\n';
  std::vector<const git_commit*> ps = parents;
  git_oid id;
  if (git_commit_create(&id, repo, nullptr, author.get(), committer.get(), nullptr, message.c_str(), tree.get(),
                        ps.size(), ps.data()) != 0)
    throw Error(fmt::format("cannot create a git commit: {}", git_error_text()));
  return id;
}

void throw_if_final(const std::optional<PushRefusal>& refusal, const std::optional<git_oid>& tip,
                    const GitSession& session, const std::string& branch) {
  if (refusal && same(refusal->tip, tip))
    throw RemoteError(
        fmt::format("git remote {} branch {}: push refused: {}", session.shown_url(), branch, refusal->reason));
}

RemoteError kept_moving(const GitSession& session, const std::string& branch, const PushRefusal& last) {
  return RemoteError(fmt::format("git remote {} branch {}: the branch kept moving; gave up after {} attempts "
                                 "(last refusal: {})",
                                 session.shown_url(), branch, k_max_push_attempts, last.reason));
}

void require_commit_identity() {
  GitLibrary lib;
  (void)commit_identity();
}

UpdateResult update_branch(const std::string& url, const std::string& branch, const GitOptions& options,
                           const std::function<std::optional<CommitPlan>(const BranchSnapshot&)>& plan) {
  auto session = std::make_shared<GitSession>(url, options);
  check_branch(branch);
  const auto who = commit_identity();  // before any work: a missing identity is a configuration error
  UpdateResult result;
  std::optional<PushRefusal> refusal;
  for (int attempt = 1; attempt <= k_max_push_attempts; ++attempt) {
    result.attempts = attempt;
    const auto tip = fetch_tips(*session, {branch}).front();
    throw_if_final(refusal, tip, *session, branch);
    const auto impl = std::make_shared<const BranchSnapshot::Impl>(session, branch, tip);
    const auto wanted = plan(BranchSnapshot(impl));
    if (!wanted) return result;
    const auto tree = build_tree(session->repo(), impl->tree.get(), *wanted);
    if (impl->tree ? git_oid_equal(&tree.id, git_tree_id(impl->tree.get())) != 0 : tree.empty) return result;
    std::vector<const git_commit*> parents;
    if (impl->commit) parents.push_back(impl->commit.get());
    const auto commit = make_commit(session->repo(), who, wanted->message, tree.id, parents);
    auto refused = session->push(commit, branch);
    if (!refused) {
      result.commit = git_hex(commit);
      result.created_branch = !tip;
      return result;
    }
    refusal = PushRefusal{tip, std::move(*refused)};
  }
  throw kept_moving(*session, branch, *refusal);
}

}  // namespace airlock
