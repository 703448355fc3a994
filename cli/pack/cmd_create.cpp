#include "cli/pack/commands.hpp"
#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "packer/pack.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace airlock {

void add_create_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string spec;
    std::vector<std::string> keys;
    std::string output;
    RegistryFlags registry;
    GitFlags git;
    int fetches = 3;
    int level = 3;
    int workers = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("create", "Pack the release SPEC describes into one signed bundle");
  cmd->add_option("spec", o->spec, "Release spec (YAML)")->required();
  cmd->add_option("--key", o->keys,
                  "Ed25519 private key (PEM, from keygen); repeatable: each key signs, for sites whose trust policy "
                  "requires several signers")
      ->required();
  cmd->add_option("-o,--output", o->output, "Bundle to write (.tar.zst)")->required();
  add_registry_flags(*cmd, o->registry);
  add_git_flags(*cmd, o->git);
  cmd->add_option("--fetches", o->fetches, "Blobs fetched at once, ahead of the archive (default 3)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--level", o->level, "zstd compression level")->check(CLI::Range(1, 19));
  cmd->add_option("--threads", o->workers, "zstd worker threads (0: one per core, at most 4)")->check(CLI::Range(0, 64));
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer("The creation time is $SOURCE_DATE_EPOCH when set, so the same inputs give the same index.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-pack", o->json);
      PackOptions opts{.spec = o->spec, .keys = {o->keys.begin(), o->keys.end()}, .output = o->output};
      opts.registries = registry_access(o->registry);
      opts.git = git_options(o->git);
      opts.fetches = o->fetches;
      opts.zstd_level = o->level;
      opts.workers = o->workers;
      const auto r = pack(opts, progress);
      if (o->json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"bundle", o->output},
                                                  {"bundleDigest", r.bundle_digest.str()},
                                                  {"keyid", r.keyids.front()},
                                                  {"keyids", r.keyids},
                                                  {"release", r.index.name},
                                                  {"version", r.index.version},
                                                  {"sequence", r.index.sequence},
                                                  {"images", r.index.images.size()},
                                                  {"entries", r.index.entries.size() + 1},
                                                  {"archiveBytes", r.archive_bytes},
                                                  {"compressedBytes", r.compressed_bytes}}.dump(2));
      } else {
        fmt::print("wrote {}: {} {} (sequence {}), {} images, {} entries, {} bytes compressed\n"
                   "bundle digest: {}\nsigned by key{}: {}\n",
                   o->output, r.index.name, r.index.version, r.index.sequence, r.index.images.size(),
                   r.index.entries.size() + 1, r.compressed_bytes, r.bundle_digest.str(),
                   r.keyids.size() == 1 ? "" : "s", fmt::join(r.keyids, ", "));
      }
      return 0;
    };
  });
}

}  // namespace airlock
