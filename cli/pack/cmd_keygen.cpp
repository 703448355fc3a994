#include "cli/commands.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Keygen final : public Command {
public:
  Keygen() : Command("keygen", "Create an Ed25519 signing key pair: PREFIX.key (mode 0600) and PREFIX.pub") {}

private:
  std::string m_prefix;

  void define(CLI::App& cmd) override { cmd.add_option("--out", m_prefix, "Path prefix of the key files")->required(); }
  void run(Progress&) override { print(keygen_report(keygen(m_prefix))); }
};

}  // namespace

std::unique_ptr<Command> keygen_command() { return std::make_unique<Keygen>(); }

}  // namespace airlock
