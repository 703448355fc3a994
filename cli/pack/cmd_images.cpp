#include "cli/pack/commands.hpp"
#include "cli/git_flags.hpp"
#include "packer/release_plan.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace airlock {

void add_images_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string spec;
    GitFlags git;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("images", "List the images a bundle of SPEC would hold, and where each was found");
  cmd->add_option("spec", o->spec, "Release spec (YAML)")->required();
  add_git_flags(*cmd, o->git);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->callback([o, &action] {
    action = [o] {
      const auto plan = plan_release(o->spec, git_options(o->git));
      if (o->json) {
        nlohmann::ordered_json images = nlohmann::ordered_json::array();
        for (const auto& i : plan.images)
          images.push_back({{"name", i.name}, {"source", i.source}, {"foundAt", i.found_at}});
        nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
        for (const auto& w : plan.warnings)
          warnings.push_back({{"text", w.text}, {"reference", w.reference.str()}, {"at", w.where}, {"context", w.context}});
        fmt::print("{}\n", nlohmann::ordered_json{{"images", images}, {"warnings", warnings}}.dump(2));
        return 0;
      }
      for (const auto& i : plan.images) {
        fmt::print("{}\n  from {}\n", i.name, i.source);
        for (const auto& at : i.found_at) fmt::print("  at   {}\n", at);
      }
      for (const auto& w : plan.warnings)
        fmt::print(stderr, "airlock-pack: warning: {}: \"{}\" looks like an image outside an image field ({}); "
                           "list it in the spec if the release needs it\n",
                   w.where, w.text, w.context);
      return 0;
    };
  });
}

}  // namespace airlock
