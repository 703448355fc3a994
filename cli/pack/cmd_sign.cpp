#include "cli/pack/commands.hpp"
#include "packer/cosign.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

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
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer("Every entry is checked against the signed index as it is copied. Exit status: 0 signed, 2 usage, "
              "3 the bundle is damaged or not signed by a --pubkey.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-pack", o->json);
      CosignOptions opts;
      opts.bundle = o->bundle;
      opts.keys = {o->keys.begin(), o->keys.end()};
      opts.require_signed_by = {o->pubkeys.begin(), o->pubkeys.end()};
      opts.output = o->output;
      const auto r = cosign(opts, progress);
      if (o->json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"bundle", o->output},
                                                  {"bundleDigest", r.bundle_digest.str()},
                                                  {"previousKeyids", r.previous_keyids},
                                                  {"addedKeyids", r.added_keyids},
                                                  {"compressedBytes", r.compressed_bytes}}.dump(2));
      } else {
        fmt::print("wrote {}: {} {} (sequence {}), bundle digest {} (unchanged)\nsigned before by: {}\nadded: {}\n",
                   o->output, r.index.name, r.index.version, r.index.sequence, r.bundle_digest.str(),
                   r.previous_keyids.empty() ? "nobody" : fmt::format("{}", fmt::join(r.previous_keyids, ", ")),
                   fmt::join(r.added_keyids, ", "));
      }
      return 0;
    };
  });
}

}  // namespace airlock
