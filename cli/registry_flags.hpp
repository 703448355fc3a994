#pragma once
// The registry flags create, images and import share.

#include "common/registry_access.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace airlock {

struct RegistryFlags {
  std::string auth_file;
  std::string ca_file;
  std::vector<std::string> insecure;
};

inline void add_registry_flags(CLI::App& cmd, RegistryFlags& flags) {
  cmd.add_option("--auth-file", flags.auth_file,
                 "Registry credentials as docker login writes them (default: $REGISTRY_AUTH_FILE, else "
                 "~/.docker/config.json)");
  cmd.add_option("--ca-file", flags.ca_file, "Extra CA certificates (PEM) to trust for registries");
  cmd.add_option("--insecure-registry", flags.insecure, "Speak plain HTTP to this host[:port]; repeatable");
}

[[nodiscard]] inline RegistryAccess registry_access(const RegistryFlags& flags) {
  RegistryAccess a;
  if (!flags.auth_file.empty()) a.auth_file = flags.auth_file;
  if (!flags.ca_file.empty()) a.ca_file = flags.ca_file;
  a.insecure_hosts = flags.insecure;
  return a;
}

}  // namespace airlock
