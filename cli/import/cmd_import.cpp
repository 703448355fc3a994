#include "cli/import/commands.hpp"
#include "common/error.hpp"
#include "importer/import.hpp"
#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "cli/trust_flags.hpp"
#include "importer/import_report.hpp"

#include <fmt/format.h>

#include <memory>

namespace airlock {

void add_import_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string bundle;
    TrustFlags trust;
    std::string registry;
    std::string prefix;
    RegistryFlags access;
    int uploads = 3;
    unsigned chunk_mib = 0;
    std::string git;
    std::string branch = "dev";
    std::string path;
    std::string values;
    GitFlags git_flags;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("import", "Verify a bundle and load its images into the site's registry, in one pass");
  cmd->add_option("bundle", o->bundle, "Bundle (.tar.zst), or - for standard input")->required();
  add_trust_flags(*cmd, o->trust);
  cmd->add_option("--registry", o->registry,
                  "The internal registry, HOST[:PORT], to load the images into (with --git alone: the registry the "
                  "branch's last import of this release used)");
  cmd->add_option("--prefix", o->prefix, "Repository path the images land under (<registry>/<prefix>/<name>)");
  add_registry_flags(*cmd, o->access);
  cmd->add_option("--uploads", o->uploads, "Blob uploads in flight")->check(CLI::Range(1, 16));
  cmd->add_option("--chunk-mib", o->chunk_mib,
                  "Upload blobs in PATCH chunks of this many MiB, for a registry or proxy that caps request bodies "
                  "(default: one streaming PUT per blob)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--git", o->git, "Commit the rendered release to this git remote (file://, git://, ssh://, https://)");
  cmd->add_option("--branch", o->branch, "The import branch (created when missing)")->capture_default_str();
  cmd->add_option("--path", o->path, "Directory of the release in the branch (default: the release's name)");
  cmd->add_option("--values", o->values, "Site values for the release's ${airlock:NAME} placeholders (YAML NAME: value)");
  add_git_flags(*cmd, o->git_flags);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer("Exit status: 0 imported (or already imported), 2 usage, 3 verification failed, rollback or expired "
              "(nothing was tagged or committed, unless a newer import won a race for the branch), 4 registry or git "
              "remote failed. See docs/OPERATIONS.md.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-import", o->json);
      ImportOptions opts;
      opts.verify = verify_options(o->trust);
      opts.registry = o->registry;
      opts.prefix = o->prefix;
      opts.access = registry_access(o->access);
      opts.uploads = static_cast<std::size_t>(o->uploads);
      opts.upload_chunk = std::uint64_t{o->chunk_mib} << 20;
      if (!o->git.empty()) {
        opts.git = GitTarget{o->git, o->branch, std::nullopt, git_options(o->git_flags)};
        if (!o->path.empty()) opts.git->path = o->path;
      } else if (!o->path.empty() || !o->values.empty()) {
        throw UsageError("--path and --values need --git");
      }
      if (!o->values.empty()) opts.values_file = o->values;
      const auto report = import_bundle(o->bundle, opts, progress);
      if (o->json) fmt::print("{}\n", import_report_json(report).dump(2));
      else fmt::print("{}", import_report_text(report));
      return 0;
    };
  });
}

}  // namespace airlock
