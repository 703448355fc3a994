#include "cli/git_flags.hpp"
#include "cli/import/commands.hpp"
#include "cli/report_output.hpp"
#include "importer/import_report.hpp"

namespace airlock {
namespace {

class Promote final : public Command {
  std::string m_git, m_from = "dev", m_to;
  GitFlags m_git_flags;
  bool m_json = false;

  void define(CLI::App& cmd) override {
    cmd.add_option("--git", m_git, "The git remote")->required();
    cmd.add_option("--from", m_from, "The branch to promote")->capture_default_str();
    cmd.add_option("--to", m_to, "The environment branch (created from --from when missing)")->required();
    add_git_flags(cmd, m_git_flags);
    add_json_flag(cmd, m_json);
    cmd.footer("Exit status: 0 promoted (or up to date), 1 merge conflict (the branch did not move), 2 usage, "
               "4 git remote failed.");
  }

  int run() override {
    if (m_from == m_to) throw UsageError("--from and --to name the same branch");
    const auto r = promote_branch(m_git, m_from, m_to, git_options(m_git_flags));
    print_report(m_json, promote_report_json(r, m_git, m_from, m_to), promote_report_text(r, m_from, m_to));
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> promote_command() { return std::make_unique<Promote>(); }

}  // namespace airlock
