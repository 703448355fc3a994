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
struct GitIndexDeleter { void operator()(git_index* p) const noexcept { git_index_free(p); } };
struct GitIndexConflictIteratorDeleter {
  void operator()(git_index_conflict_iterator* p) const noexcept { git_index_conflict_iterator_free(p); }
};
struct GitReferenceDeleter { void operator()(git_reference* p) const noexcept { git_reference_free(p); } };
struct GitSignatureDeleter { void operator()(git_signature* p) const noexcept { git_signature_free(p); } };
struct GitConfigDeleter { void operator()(git_config* p) const noexcept { git_config_free(p); } };
struct GitConfigEntryDeleter { void operator()(git_config_entry* p) const noexcept { git_config_entry_free(p); } };

using GitRepositoryPtr = std::unique_ptr<git_repository, GitRepositoryDeleter>;
using GitRemotePtr = std::unique_ptr<git_remote, GitRemoteDeleter>;
using GitObjectPtr = std::unique_ptr<git_object, GitObjectDeleter>;
using GitCommitPtr = std::unique_ptr<git_commit, GitCommitDeleter>;
using GitTreePtr = std::unique_ptr<git_tree, GitTreeDeleter>;
using GitTreeEntryPtr = std::unique_ptr<git_tree_entry, GitTreeEntryDeleter>;
using GitBlobPtr = std::unique_ptr<git_blob, GitBlobDeleter>;
using GitIndexPtr = std::unique_ptr<git_index, GitIndexDeleter>;
using GitIndexConflictIteratorPtr = std::unique_ptr<git_index_conflict_iterator, GitIndexConflictIteratorDeleter>;
using GitReferencePtr = std::unique_ptr<git_reference, GitReferenceDeleter>;
using GitSignaturePtr = std::unique_ptr<git_signature, GitSignatureDeleter>;
using GitConfigPtr = std::unique_ptr<git_config, GitConfigDeleter>;
using GitConfigEntryPtr = std::unique_ptr<git_config_entry, GitConfigEntryDeleter>;

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
