#include "packer/git_manifests.hpp"

#include "common/error.hpp"
#include "common/git_handles.hpp"
#include "common/temp_dir.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {
namespace {

constexpr std::size_t k_max_file = 64 * 1024 * 1024;

struct WalkState {
  git_repository* repo;
  std::vector<std::pair<std::string, std::string>>* files;
  std::string error;
};

int collect(const char* root, const git_tree_entry* entry, void* payload) {
  auto* st = static_cast<WalkState*>(payload);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  const std::string name = git_tree_entry_name(entry);
  if (!(name.ends_with(".yaml") || name.ends_with(".yml"))) return 0;
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) return 0;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, st->repo, git_tree_entry_id(entry)) != 0) {
    st->error = git_error_text();
    return -1;
  }
  GitBlobPtr blob(raw);
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
  if (size > k_max_file) {
    st->error = fmt::format("{}{} is larger than {} bytes", root, name, k_max_file);
    return -1;
  }
  st->files->emplace_back(std::string(root) + name,
                          std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size));
  return 0;
}

}  // namespace

GitManifests fetch_git_manifests(const std::string& url, const std::string& ref, const std::string& path,
                                 const std::string& where) {
  GitLibrary lib;
  TempDir dir("airlock-git");
  git_repository* raw_repo = nullptr;
  if (git_repository_init(&raw_repo, dir.path().c_str(), 1) != 0)
    throw Error(fmt::format("{}: cannot create a temporary repository: {}", where, git_error_text()));
  GitRepositoryPtr repo(raw_repo);

  git_remote* raw_remote = nullptr;
  if (git_remote_create_anonymous(&raw_remote, repo.get(), url.c_str()) != 0)
    throw UsageError(fmt::format("{}: git remote {}: {}", where, url, git_error_text()));
  GitRemotePtr remote(raw_remote);
  const char* specs[] = {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"};
  const git_strarray refspecs{const_cast<char**>(specs), 2};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
  if (git_remote_fetch(remote.get(), &refspecs, &opts, nullptr) != 0)
    throw RemoteError(fmt::format("{}: git remote {}: fetch failed: {}", where, url, git_error_text()));

  // A tag, then a branch, then a commit id (full or abbreviated).
  git_object* raw_obj = nullptr;
  bool found = false;
  for (const auto& candidate : {"refs/tags/" + ref, "refs/remotes/origin/" + ref, ref}) {
    if (git_revparse_single(&raw_obj, repo.get(), (candidate + "^{commit}").c_str()) == 0) {
      found = true;
      break;
    }
  }
  if (!found)
    throw UsageError(fmt::format("{}: git remote {} has no tag, branch or commit \"{}\"", where, url, ref));
  GitObjectPtr commit_obj(raw_obj);
  auto* commit = reinterpret_cast<git_commit*>(commit_obj.get());
  char id[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(id, sizeof id, git_commit_id(commit));

  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0)
    throw Error(fmt::format("{}: git remote {}: cannot read the tree of {}: {}", where, url, id, git_error_text()));
  GitTreePtr tree(raw_tree);
  GitTreePtr sub;
  std::string clean = path;
  while (clean.ends_with('/')) clean.pop_back();
  if (!clean.empty() && clean != ".") {
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, tree.get(), clean.c_str()) != 0)
      throw UsageError(fmt::format("{}: git remote {} at {} ({}) has no path \"{}\"", where, url, ref, id, clean));
    GitTreeEntryPtr entry(raw_entry);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
      throw UsageError(fmt::format("{}: git remote {} at {}: \"{}\" is not a directory", where, url, ref, clean));
    git_tree* raw_sub = nullptr;
    if (git_tree_lookup(&raw_sub, repo.get(), git_tree_entry_id(entry.get())) != 0)
      throw Error(fmt::format("{}: git remote {}: {}", where, url, git_error_text()));
    sub.reset(raw_sub);
  }

  GitManifests out;
  out.commit = id;
  WalkState st{repo.get(), &out.files, {}};
  if (git_tree_walk(sub ? sub.get() : tree.get(), GIT_TREEWALK_PRE, collect, &st) != 0)
    throw Error(fmt::format("{}: git remote {} at {}: {}", where, url, ref, st.error.empty() ? git_error_text() : st.error));
  if (out.files.empty())
    throw UsageError(fmt::format("{}: git remote {} at {} has no *.yaml or *.yml files under \"{}\"", where, url, ref, path));
  std::sort(out.files.begin(), out.files.end());
  return out;
}

}  // namespace airlock
