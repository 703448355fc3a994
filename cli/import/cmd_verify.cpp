#include "cli/import/commands.hpp"
#include "cli/report_output.hpp"
#include "cli/trust_flags.hpp"
#include "importer/verify_report.hpp"

#include <memory>

namespace airlock {

void add_verify_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string bundle;
    TrustFlags trust;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("verify", "Check a bundle's signature against trusted keys, and every entry's digest");
  cmd->add_option("bundle", o->bundle, "Bundle (.tar.zst), or - for standard input")->required();
  add_trust_flags(*cmd, o->trust);
  add_json_flag(*cmd, o->json);
  cmd->footer("Exit status: 0 verified, 2 usage, 3 verification failed.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-import", o->json);
      const auto report = verify_bundle(o->bundle, verify_options(o->trust), progress);
      print_report(o->json, verify_report_json(report), verify_report_text(report));
      return 0;
    };
  });
}

void add_inspect_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string bundle;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("inspect", "Show what a bundle holds (reads only its envelope; verifies nothing)");
  cmd->add_option("bundle", o->bundle, "Bundle (.tar.zst), or - for standard input")->required();
  add_json_flag(*cmd, o->json);
  cmd->callback([o, &action] {
    action = [o] {
      const auto report = inspect_bundle(o->bundle);
      print_report(o->json, inspect_report_json(report), inspect_report_text(report));
      return 0;
    };
  });
}

}  // namespace airlock
