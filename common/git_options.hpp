#pragma once
// How airlock reaches a git remote beyond what its URL says: the files the
// command line names. Import, promote and the packer's git manifests take
// the same options (cli/git_flags.hpp).

#include <filesystem>
#include <optional>

namespace airlock {

struct GitOptions {
  std::optional<std::filesystem::path> ssh_key;           // ssh:// private key; else ssh-agent
  std::optional<std::filesystem::path> ca_file;           // extra CA certificates for https://
  std::optional<std::filesystem::path> credentials_file;  // git-credential-store lines: https://user:pass@host[/path]
  // https:// credentials also come from $AIRLOCK_GIT_USERNAME and
  // $AIRLOCK_GIT_PASSWORD ($AIRLOCK_GIT_TOKEN: a token, user "x-access-token"),
  // see common/git_credentials.hpp.
};

}  // namespace airlock
