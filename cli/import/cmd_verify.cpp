#include "cli/import/commands.hpp"
#include "cli/report_output.hpp"
#include "cli/terminal_progress.hpp"
#include "cli/trust_flags.hpp"
#include "importer/verify_report.hpp"

namespace airlock {
namespace {

class Verify final : public Command {
  std::string m_bundle;
  TrustFlags m_trust;
  bool m_json = false;

  void define(CLI::App& cmd) override {
    cmd.add_option("bundle", m_bundle, "Bundle (.tar.zst), or - for standard input")->required();
    add_trust_flags(cmd, m_trust);
    add_json_flag(cmd, m_json);
    cmd.footer("Exit status: 0 verified, 2 usage, 3 verification failed.");
  }

  int run() override {
    TerminalProgress progress("airlock-import", m_json);
    const auto report = verify_bundle(m_bundle, verify_options(m_trust), progress);
    print_report(m_json, verify_report_json(report), verify_report_text(report));
    return 0;
  }
};

class Inspect final : public Command {
  std::string m_bundle;
  bool m_json = false;

  void define(CLI::App& cmd) override {
    cmd.add_option("bundle", m_bundle, "Bundle (.tar.zst), or - for standard input")->required();
    add_json_flag(cmd, m_json);
  }

  int run() override {
    const auto report = inspect_bundle(m_bundle);
    print_report(m_json, inspect_report_json(report), inspect_report_text(report));
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> verify_command() { return std::make_unique<Verify>(); }
std::unique_ptr<Command> inspect_command() { return std::make_unique<Inspect>(); }

}  // namespace airlock
