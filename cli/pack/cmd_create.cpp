#include "cli/pack/commands.hpp"
#include "cli/registry_flags.hpp"
#include "cli/report_output.hpp"
#include "packer/pack_report.hpp"

#include <memory>

namespace airlock {

void add_create_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string spec;
    std::vector<std::string> keys;
    std::string output;
    RegistryFlags registry;
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
  cmd->add_option("--fetches", o->fetches, "Blobs fetched at once, ahead of the archive (default 3)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--level", o->level, "zstd compression level")->check(CLI::Range(1, 19));
  cmd->add_option("--threads", o->workers, "zstd worker threads (0: one per core, at most 4)")->check(CLI::Range(0, 64));
  add_json_flag(*cmd, o->json);
  cmd->footer("The creation time is $SOURCE_DATE_EPOCH when set, so the same inputs give the same index.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-pack", o->json);
      PackOptions opts{.spec = o->spec, .keys = {o->keys.begin(), o->keys.end()}, .output = o->output};
      opts.registries = registry_access(o->registry);
      opts.fetches = o->fetches;
      opts.zstd_level = o->level;
      opts.workers = o->workers;
      const auto r = pack(opts, progress);
      print_report(o->json, pack_report_json(r, o->output), pack_report_text(r, o->output));
      return 0;
    };
  });
}

}  // namespace airlock
