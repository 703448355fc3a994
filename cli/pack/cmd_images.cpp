#include "cli/pack/commands.hpp"
#include "cli/report_output.hpp"
#include "cli/terminal_progress.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Images final : public Command {
  std::string m_spec;
  bool m_json = false;

  void define(CLI::App& cmd) override {
    cmd.add_option("spec", m_spec, "Release spec (YAML)")->required();
    add_json_flag(cmd, m_json);
  }

  int run() override {
    TerminalProgress progress("airlock-pack", m_json);
    const auto plan = plan_release(m_spec);
    print_report(m_json, images_report_json(plan), images_report_text(plan));
    if (!m_json)
      for (const auto& w : plan.warnings) progress.warn(unbundled_reference_warning(w));
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> images_command() { return std::make_unique<Images>(); }

}  // namespace airlock
