#include "cli/commands.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Sign final : public Command {
public:
  Sign()
      : Command("sign", "Add signatures to an existing bundle (a second signer); the bundle digest stays the same") {}

private:
  std::string m_bundle, m_output;
  std::vector<std::string> m_keys, m_pubkeys;

  void define(CLI::App& cmd) override {
    add_bundle_argument(cmd, m_bundle);
    cmd.add_option("--key", m_keys, "Ed25519 private key (PEM) that signs; repeatable")->required();
    cmd.add_option("--pubkey", m_pubkeys,
                   "Refuse unless the bundle already carries a valid signature by this key; repeatable (any one)");
    cmd.add_option("-o,--output", m_output, "Bundle to write (may be the input: it is replaced only on success)")
        ->required();
    cmd.footer("Every entry is checked against the signed index as it is copied. Exit status: 0 signed, 2 usage, "
               "3 the bundle is damaged or not signed by a --pubkey.");
  }

  void run(Progress& progress) override {
    SignBundleOptions options;
    options.bundle = m_bundle;
    options.keys = {m_keys.begin(), m_keys.end()};
    options.require_signed_by = {m_pubkeys.begin(), m_pubkeys.end()};
    options.output = m_output;
    const auto r = sign_bundle(options, progress);
    print(sign_report(r, m_output));
  }
};

}  // namespace

std::unique_ptr<Command> sign_command() { return std::make_unique<Sign>(); }

}  // namespace airlock
