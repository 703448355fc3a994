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
  GitBlobPtr blob;
  try {
    blob = git_make(fmt::format("cannot read {}{}", root, name), git_blob_lookup, st->repo, git_tree_entry_id(entry));
  } catch (const Error& e) {
    st->error = e.what();  // no exception may cross libgit2's C frames
    return -1;
  }
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
  const auto repo = git_make(fmt::format("{}: cannot create a temporary repository", where), git_repository_init,
                             dir.path().c_str(), 1u);
  const auto remote = git_make<UsageError>(fmt::format("{}: git remote {}", where, url), git_remote_create_anonymous,
                                           repo.get(), url.c_str());
  const char* specs[] = {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"};
  const git_strarray refspecs{const_cast<char**>(specs), 2};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
  if (git_remote_fetch(remote.get(), &refspecs, &opts, nullptr) != 0)
    throw RemoteError(fmt::format("{}: git remote {}: fetch failed: {}", where, url, git_error_text()));

  // A tag, then a branch, then a commit id (full or abbreviated).
  GitObjectPtr commit_obj;
  for (const auto& candidate : {"refs/tags/" + ref, "refs/remotes/origin/" + ref, ref}) {
    commit_obj = git_find<UsageError>(fmt::format("{}: git remote {}: \"{}\"", where, url, ref), git_revparse_single,
                                      repo.get(), (candidate + "^{commit}").c_str());
    if (commit_obj) break;
  }
  if (!commit_obj)
    throw UsageError(fmt::format("{}: git remote {} has no tag, branch or commit \"{}\"", where, url, ref));
  const git_oid commit_id = *git_object_id(commit_obj.get());
  const auto id = git_hex(commit_id);
  const auto commit = git_make(fmt::format("{}: git remote {}: cannot read commit {}", where, url, id),
                               git_commit_lookup, repo.get(), &commit_id);
  const auto tree = git_make(fmt::format("{}: git remote {}: cannot read the tree of {}", where, url, id),
                             git_commit_tree, commit.get());
  GitTreePtr sub;
  std::string clean = path;
  while (clean.ends_with('/')) clean.pop_back();
  if (!clean.empty() && clean != ".") {
    const auto entry = git_find(fmt::format("{}: git remote {} at {}: cannot read \"{}\"", where, url, ref, clean),
                                git_tree_entry_bypath, tree.get(), clean.c_str());
    if (!entry)
      throw UsageError(fmt::format("{}: git remote {} at {} ({}) has no path \"{}\"", where, url, ref, id, clean));
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
      throw UsageError(fmt::format("{}: git remote {} at {}: \"{}\" is not a directory", where, url, ref, clean));
    sub = git_make(fmt::format("{}: git remote {}", where, url), git_tree_lookup, repo.get(),
                   git_tree_entry_id(entry.get()));
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
