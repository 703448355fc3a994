#pragma once
// Manifests from a vendor's git repository, fetched with libgit2 into a
// private temporary bare repository (no checkout): the *.yaml / *.yml
// files under `path` at `ref` (a tag, a branch or a commit id).

#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct GitManifests {
  std::string commit;  // the full id `ref` resolved to
  std::vector<std::pair<std::string, std::string>> files;  // path relative to `path`, content
};

// Throws RemoteError when the remote cannot be fetched, UsageError when the
// ref or the path does not exist there; messages name the URL and `where`.
[[nodiscard]] GitManifests fetch_git_manifests(const std::string& url, const std::string& ref,
                                               const std::string& path, const std::string& where);

}  // namespace airlock
