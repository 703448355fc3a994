#pragma once
// RAII owners for libgit2 objects, and the library's global init. No other
// file frees them.

#include <git2.h>

#include <memory>
#include <string>

namespace airlock {

struct GitRepositoryDeleter { void operator()(git_repository* p) const noexcept { git_repository_free(p); } };
struct GitRemoteDeleter { void operator()(git_remote* p) const noexcept { git_remote_free(p); } };
struct GitObjectDeleter { void operator()(git_object* p) const noexcept { git_object_free(p); } };
struct GitCommitDeleter { void operator()(git_commit* p) const noexcept { git_commit_free(p); } };
struct GitTreeDeleter { void operator()(git_tree* p) const noexcept { git_tree_free(p); } };
struct GitTreeEntryDeleter { void operator()(git_tree_entry* p) const noexcept { git_tree_entry_free(p); } };
struct GitBlobDeleter { void operator()(git_blob* p) const noexcept { git_blob_free(p); } };

using GitRepositoryPtr = std::unique_ptr<git_repository, GitRepositoryDeleter>;
using GitRemotePtr = std::unique_ptr<git_remote, GitRemoteDeleter>;
using GitObjectPtr = std::unique_ptr<git_object, GitObjectDeleter>;
using GitCommitPtr = std::unique_ptr<git_commit, GitCommitDeleter>;
using GitTreePtr = std::unique_ptr<git_tree, GitTreeDeleter>;
using GitTreeEntryPtr = std::unique_ptr<git_tree_entry, GitTreeEntryDeleter>;
using GitBlobPtr = std::unique_ptr<git_blob, GitBlobDeleter>;

// libgit2 is initialised while one of these lives.
class GitLibrary {
public:
  GitLibrary() { git_libgit2_init(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
  ~GitLibrary() { git_libgit2_shutdown(); }
};

// The last libgit2 error as text.
inline std::string git_error_text() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

}  // namespace airlock
