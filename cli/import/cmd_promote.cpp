#include "cli/git_flags.hpp"
#include "cli/commands.hpp"
#include "importer/import_report.hpp"

namespace airlock {
namespace {

class Promote final : public Command {
public:
  Promote() : Command("promote", "Merge the import branch into an environment branch") {}

private:
  std::string m_git, m_from = "dev", m_to;
  GitFlags m_git_flags;

  void define(CLI::App& cmd) override {
    cmd.add_option("--git", m_git, "The git remote")->required();
    cmd.add_option("--from", m_from, "The branch to promote")->capture_default_str();
    cmd.add_option("--to", m_to, "The environment branch (created from --from when missing)")->required();
    add_git_flags(cmd, m_git_flags);
    cmd.footer("Exit status: 0 promoted (or up to date), 1 merge conflict (the branch did not move), 2 usage, "
               "4 git remote failed.");
  }

  void run(Progress&) override {
    if (m_from == m_to) throw UsageError("--from and --to name the same branch");
    const auto r = promote_branch(m_git, m_from, m_to, git_options(m_git_flags));
    print(promote_report(r, m_git, m_from, m_to));
  }
};

}  // namespace

std::unique_ptr<Command> promote_command() { return std::make_unique<Promote>(); }

}  // namespace airlock
