#include "cli/import/commands.hpp"
#include "importer/git_branch.hpp"
#include "cli/git_flags.hpp"
#include "cli/report_output.hpp"
#include "importer/import_report.hpp"

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
  add_json_flag(*cmd, o->json);
  cmd->footer("Exit status: 0 promoted (or up to date), 1 merge conflict (the branch did not move), 2 usage, "
              "4 git remote failed.");
  cmd->callback([o, &action] {
    action = [o] {
      if (o->from == o->to) throw UsageError("--from and --to name the same branch");
      const auto r = promote_branch(o->git, o->from, o->to, git_options(o->git_flags));
      print_report(o->json, promote_report_json(r, o->git, o->from, o->to), promote_report_text(r, o->from, o->to));
      return 0;
    };
  });
}

}  // namespace airlock
