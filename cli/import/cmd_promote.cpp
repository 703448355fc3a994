#include "cli/import/commands.hpp"
#include "importer/git_promote.hpp"
#include "cli/git_flags.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace airlock {

void add_promote_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string git;
    std::string from = "dev";
    std::string to;
    GitFlags git_flags;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("promote", "Merge the import branch into an environment branch");
  cmd->add_option("--git", o->git, "The git remote")->required();
  cmd->add_option("--from", o->from, "The branch to promote")->capture_default_str();
  cmd->add_option("--to", o->to, "The environment branch (created from --from when missing)")->required();
  add_git_flags(*cmd, o->git_flags);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer("Exit status: 0 promoted (or up to date), 1 merge conflict (the branch did not move), 2 usage, "
              "4 git remote failed.");
  cmd->callback([o, &action] {
    action = [o] {
      if (o->from == o->to) throw UsageError("--from and --to name the same branch");
      const auto r = promote_branch(o->git, o->from, o->to, git_options(o->git_flags));
      static constexpr const char* kinds[] = {"created", "fast-forward", "merged", "up-to-date"};
      const char* kind = kinds[static_cast<int>(r.kind)];
      if (o->json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"git", o->git}, {"from", o->from}, {"to", o->to},
                                                  {"result", kind}, {"commit", r.commit}}
                               .dump(2));
      } else {
        fmt::print("promote {} into {}: {} ({})\n", o->from, o->to, kind, r.commit);
      }
      return 0;
    };
  });
}

}  // namespace airlock
