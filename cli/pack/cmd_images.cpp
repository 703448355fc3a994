#include "cli/pack/commands.hpp"
#include "cli/report_output.hpp"
#include "packer/pack_report.hpp"

#include <memory>

namespace airlock {

void add_images_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string spec;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("images", "List the images a bundle of SPEC would hold, and where each was found");
  cmd->add_option("spec", o->spec, "Release spec (YAML)")->required();
  add_json_flag(*cmd, o->json);
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-pack", o->json);
      const auto plan = plan_release(o->spec);
      print_report(o->json, images_report_json(plan), images_report_text(plan));
      if (!o->json)
        for (const auto& w : plan.warnings) progress.warn(unbundled_reference_warning(w));
      return 0;
    };
  });
}

}  // namespace airlock
