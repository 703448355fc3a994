#pragma once
// The flags import and receive share: trust, the site registry, the git
// branch, site values.

#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "cli/trust_flags.hpp"
#include "common/error.hpp"
#include "importer/import.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace airlock {

struct ImportFlags {
  ImportOptions options;
  TrustFlags trust;
  RegistryFlags access;
  unsigned chunk_mib = 0;
  std::string git, branch = "dev", path, values;
  GitFlags git_flags;

  void define(CLI::App& cmd) {
    add_trust_flags(cmd, trust);
    cmd.add_option("--registry", options.registry,
                   "The internal registry, HOST[:PORT], to load the images into (with --git alone: the registry the "
                   "branch's last import of this release used)");
    cmd.add_option("--prefix", options.prefix, "Repository path the images land under (<registry>/<prefix>/<name>)");
    add_registry_flags(cmd, access);
    cmd.add_option("--uploads", options.uploads, "Blob uploads in flight")->check(CLI::Range(1, 16));
    cmd.add_option("--chunk-mib", chunk_mib,
                   "Upload blobs in PATCH chunks of this many MiB, for a registry or proxy that caps request bodies "
                   "(default: one streaming PUT per blob)")
        ->check(CLI::Range(1, 4096));
    cmd.add_option("--git", git, "Commit the rendered release to this git remote (file://, git://, ssh://, https://)");
    cmd.add_option("--branch", branch, "The import branch (created when missing)")->capture_default_str();
    cmd.add_option("--path", path, "Directory of the release in the branch (default: the release's name)");
    cmd.add_option("--values", values, "Site values for the release's ${airlock:NAME} placeholders (YAML NAME: value)");
    add_git_flags(cmd, git_flags);
  }

  [[nodiscard]] ImportOptions import_options() {
    ImportOptions o = options;
    o.verify = verify_options(trust);
    o.access = registry_access(access);
    o.upload_chunk = std::uint64_t{chunk_mib} << 20;
    if (!git.empty()) {
      o.git = GitTarget{git, branch, std::nullopt, git_options(git_flags)};
      if (!path.empty()) o.git->path = path;
    } else if (!path.empty() || !values.empty()) {
      throw UsageError("--path and --values need --git");
    }
    if (!values.empty()) o.values_file = values;
    return o;
  }
};

}  // namespace airlock
