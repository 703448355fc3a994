#include "cli/pack/commands.hpp"
#include "packer/keygen.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->callback([o, &action] {
    action = [o] {
      const auto r = keygen(o->prefix);
      if (o->json)
        fmt::print("{}\n", nlohmann::ordered_json{{"privateKey", r.private_key.string()},
                                                  {"publicKey", r.public_key.string()},
                                                  {"keyid", r.keyid}}.dump(2));
      else
        fmt::print("private key: {}\npublic key:  {}\nkey id:      {}\n", r.private_key.string(),
                   r.public_key.string(), r.keyid);
      return 0;
    };
  });
}

}  // namespace airlock
