#include "cli/commands.hpp"
#include "cli/trust_flags.hpp"
#include "importer/verify_report.hpp"

namespace airlock {
namespace {

class Verify final : public Command {
public:
  Verify() : Command("verify", "Check a bundle's signature against trusted keys, and every entry's digest") {}

private:
  std::vector<std::string> m_bundle;
  TrustFlags m_trust;

  void define(CLI::App& cmd) override {
    add_bundle_inputs(cmd, m_bundle);
    add_trust_flags(cmd, m_trust);
    cmd.footer("Exit status: 0 verified, 2 usage, 3 verification failed.");
  }

  void run(Progress& progress) override {
    print(verify_report(verify_bundle({m_bundle.begin(), m_bundle.end()}, verify_options(m_trust), progress)));
  }
};

class Inspect final : public Command {
public:
  Inspect() : Command("inspect", "Show what a bundle holds (reads only its envelope; verifies nothing)") {}

private:
  std::vector<std::string> m_bundle;

  void define(CLI::App& cmd) override { add_bundle_inputs(cmd, m_bundle); }
  void run(Progress&) override { print(inspect_report(inspect_bundle({m_bundle.begin(), m_bundle.end()}))); }
};

}  // namespace

std::unique_ptr<Command> verify_command() { return std::make_unique<Verify>(); }
std::unique_ptr<Command> inspect_command() { return std::make_unique<Inspect>(); }

}  // namespace airlock
