#pragma once
// The git remote flags import, promote and the packer's create and images share.

#include <CLI/CLI.hpp>
#include "common/git_options.hpp"

#include <string>

namespace airlock {

struct GitFlags {
  std::string ssh_key;
  std::string ca_file;
  std::string credentials;
};

inline void add_git_flags(CLI::App& cmd, GitFlags& flags) {
  cmd.add_option("--git-ssh-key", flags.ssh_key, "Private key for ssh:// remotes (default: the ssh agent)");
  cmd.add_option("--git-ca-file", flags.ca_file, "Extra CA certificates (PEM) for https:// remotes");
  cmd.add_option("--git-credentials", flags.credentials,
                 "https:// credentials, one https://USER:PASSWORD@HOST[/PATH] per line (as git-credential-store "
                 "writes); also $AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD or $AIRLOCK_GIT_TOKEN");
}

inline GitOptions git_options(const GitFlags& flags) {
  GitOptions o;
  if (!flags.ssh_key.empty()) o.ssh_key = flags.ssh_key;
  if (!flags.ca_file.empty()) o.ca_file = flags.ca_file;
  if (!flags.credentials.empty()) o.credentials_file = flags.credentials;
  return o;
}

}  // namespace airlock
