#pragma once
// RAII owners for libgit2 objects, the library's global init, and the one
// way to call a libgit2 function that hands back a new object through an
// out-parameter (git_make, git_find). No other file frees libgit2 objects.

#include "common/error.hpp"

#include <fmt/format.h>
#include <git2.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace airlock {

// The free function of each libgit2 type airlock owns.
template <typename T>
struct GitFree;
template <typename T, void (*Free)(T*)>
struct GitFreeWith {
  void operator()(T* p) const noexcept { Free(p); }
};
template <>
struct GitFree<git_repository> : GitFreeWith<git_repository, git_repository_free> {};
template <>
struct GitFree<git_remote> : GitFreeWith<git_remote, git_remote_free> {};
template <>
struct GitFree<git_object> : GitFreeWith<git_object, git_object_free> {};
template <>
struct GitFree<git_commit> : GitFreeWith<git_commit, git_commit_free> {};
template <>
struct GitFree<git_tree> : GitFreeWith<git_tree, git_tree_free> {};
template <>
struct GitFree<git_tree_entry> : GitFreeWith<git_tree_entry, git_tree_entry_free> {};
template <>
struct GitFree<git_blob> : GitFreeWith<git_blob, git_blob_free> {};
template <>
struct GitFree<git_index> : GitFreeWith<git_index, git_index_free> {};
template <>
struct GitFree<git_index_conflict_iterator>
    : GitFreeWith<git_index_conflict_iterator, git_index_conflict_iterator_free> {};
template <>
struct GitFree<git_reference> : GitFreeWith<git_reference, git_reference_free> {};
template <>
struct GitFree<git_signature> : GitFreeWith<git_signature, git_signature_free> {};
template <>
struct GitFree<git_config> : GitFreeWith<git_config, git_config_free> {};
template <>
struct GitFree<git_config_entry> : GitFreeWith<git_config_entry, git_config_entry_free> {};
template <>
struct GitFree<git_credential> : GitFreeWith<git_credential, git_credential_free> {};
template <>
struct GitFree<git_odb> : GitFreeWith<git_odb, git_odb_free> {};

template <typename T>
using GitPtr = std::unique_ptr<T, GitFree<T>>;

using GitRepositoryPtr = GitPtr<git_repository>;
using GitRemotePtr = GitPtr<git_remote>;
using GitObjectPtr = GitPtr<git_object>;
using GitCommitPtr = GitPtr<git_commit>;
using GitTreePtr = GitPtr<git_tree>;
using GitTreeEntryPtr = GitPtr<git_tree_entry>;
using GitBlobPtr = GitPtr<git_blob>;
using GitIndexPtr = GitPtr<git_index>;
using GitIndexConflictIteratorPtr = GitPtr<git_index_conflict_iterator>;
using GitReferencePtr = GitPtr<git_reference>;
using GitSignaturePtr = GitPtr<git_signature>;
using GitConfigPtr = GitPtr<git_config>;
using GitConfigEntryPtr = GitPtr<git_config_entry>;
using GitCredentialPtr = GitPtr<git_credential>;
using GitOdbPtr = GitPtr<git_odb>;

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

// An object id as 40 lowercase hex digits.
inline std::string git_hex(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

namespace detail {
template <typename T, typename Fn, typename... Args>
std::pair<int, GitPtr<T>> git_call(Fn fn, Args&&... args) {
  T* raw = nullptr;
  const int rc = fn(&raw, std::forward<Args>(args)...);
  return {rc, GitPtr<T>(raw)};  // owned even on failure, should libgit2 have set it
}
}  // namespace detail

// Calls `fn(&out, args...)`, a libgit2 function that creates or looks up
// an object, and returns the object in its owner. Throws E with the message
// "WHAT: <libgit2's message>" when fn fails.
template <typename E = Error, typename T, typename... Params, typename... Args>
[[nodiscard]] GitPtr<T> git_make(std::string_view what, int (*fn)(T**, Params...), Args&&... args) {
  auto [rc, out] = detail::git_call<T>(fn, std::forward<Args>(args)...);
  if (rc != 0) throw E(fmt::format("{}: {}", what, git_error_text()));
  return std::move(out);
}

// As git_make, but null when fn reports GIT_ENOTFOUND.
template <typename E = Error, typename T, typename... Params, typename... Args>
[[nodiscard]] GitPtr<T> git_find(std::string_view what, int (*fn)(T**, Params...), Args&&... args) {
  auto [rc, out] = detail::git_call<T>(fn, std::forward<Args>(args)...);
  if (rc == GIT_ENOTFOUND) return nullptr;
  if (rc != 0) throw E(fmt::format("{}: {}", what, git_error_text()));
  return std::move(out);
}

}  // namespace airlock
