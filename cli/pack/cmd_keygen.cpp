#include "cli/pack/commands.hpp"
#include "cli/report_output.hpp"
#include "packer/pack_report.hpp"

#include <memory>

namespace airlock {

void add_keygen_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string prefix;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("keygen", "Create an Ed25519 signing key pair: PREFIX.key (mode 0600) and PREFIX.pub");
  cmd->add_option("--out", o->prefix, "Path prefix of the key files")->required();
  add_json_flag(*cmd, o->json);
  cmd->callback([o, &action] {
    action = [o] {
      const auto r = keygen(o->prefix);
      print_report(o->json, keygen_report_json(r), keygen_report_text(r));
      return 0;
    };
  });
}

}  // namespace airlock
