#pragma once
// Manifests from a vendor's git repository: the *.yaml / *.yml files under
// `path` at `ref` (a tag, a branch or a commit id), and the other files
// there up to k_max_git_other_bytes for a kustomize build, fetched with libgit2
// through a GitSession (common/git_session.hpp: the same URLs, credentials,
// CA file, ssh key or agent and redaction as import) into a private
// temporary bare repository. No checkout; only what `ref` needs is fetched
// where the remote allows it.

#include "common/git_options.hpp"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct GitManifests {
  std::string commit;                                      // the full id `ref` resolved to
  std::vector<std::pair<std::string, std::string>> files;  // path relative to `path`, content
  // The other regular files under `path` (not hidden, not links), in path
  // order, while they fit in k_max_git_other_bytes, each at most
  // k_max_yaml_file; those that did not fit are named in `left_out`.
  std::map<std::string, std::string> others;
  std::set<std::string> left_out;
};

// Throws RemoteError when the remote cannot be fetched (unreachable, TLS not
// trusted, credentials refused, unknown ssh host key), UsageError for a bad
// URL or option file and when the ref or the path does not exist there.
// Every message starts with `where` and names the URL redacted.
[[nodiscard]] GitManifests fetch_git_manifests(const std::string& url, const std::string& ref, const std::string& path,
                                               const std::string& where, const GitOptions& options);

}  // namespace airlock
