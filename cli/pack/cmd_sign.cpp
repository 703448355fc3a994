#include "cli/pack/commands.hpp"
#include "cli/report_output.hpp"
#include "packer/pack_report.hpp"

#include <memory>

namespace airlock {

void add_sign_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string bundle;
    std::vector<std::string> keys;
    std::vector<std::string> pubkeys;
    std::string output;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("sign", "Add signatures to an existing bundle (a second signer); the bundle digest "
                                         "stays the same");
  cmd->add_option("bundle", o->bundle, "Bundle (.tar.zst), or - for standard input")->required();
  cmd->add_option("--key", o->keys, "Ed25519 private key (PEM) that signs; repeatable")->required();
  cmd->add_option("--pubkey", o->pubkeys,
                  "Refuse unless the bundle already carries a valid signature by this key; repeatable (any one)");
  cmd->add_option("-o,--output", o->output, "Bundle to write (may be the input: it is replaced only on success)")
      ->required();
  add_json_flag(*cmd, o->json);
  cmd->footer("Every entry is checked against the signed index as it is copied. Exit status: 0 signed, 2 usage, "
              "3 the bundle is damaged or not signed by a --pubkey.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-pack", o->json);
      SignBundleOptions opts;
      opts.bundle = o->bundle;
      opts.keys = {o->keys.begin(), o->keys.end()};
      opts.require_signed_by = {o->pubkeys.begin(), o->pubkeys.end()};
      opts.output = o->output;
      const auto r = sign_bundle(opts, progress);
      print_report(o->json, sign_report_json(r, o->output), sign_report_text(r, o->output));
      return 0;
    };
  });
}

}  // namespace airlock
