#pragma once
// How a command reaches registries, as its flags say: the credentials file,
// extra CA certificates, and the hosts spoken to over plain HTTP.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct RegistryAccess {
  // The file `docker login`, podman and skopeo write; unset:
  // $REGISTRY_AUTH_FILE, else ~/.docker/config.json.
  std::optional<std::filesystem::path> auth_file;
  std::optional<std::filesystem::path> ca_file;
  std::vector<std::string> insecure_hosts;  // host[:port]
};

}  // namespace airlock
