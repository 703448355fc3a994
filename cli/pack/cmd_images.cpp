#include "cli/commands.hpp"
#include "cli/git_flags.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Images final : public Command {
public:
  Images() : Command("images", "List the images a bundle of SPEC would hold, and where each was found") {}

private:
  std::string m_spec;
  GitFlags m_git;

  void define(CLI::App& cmd) override {
    add_spec_argument(cmd, m_spec);
    add_git_flags(cmd, m_git);
    cmd.footer("Reads the spec and the YAML; no image is fetched. Exit status: 0 listed, 2 usage (the spec, the YAML "
               "or an image field that is not a reference), 4 a git remote failed.");
  }

  void run(Progress& progress) override {
    const auto plan = plan_release(m_spec, git_options(m_git));
    print(images_report(plan));
    if (!json) report_plan_notices(plan, progress);
  }
};

}  // namespace

std::unique_ptr<Command> images_command() { return std::make_unique<Images>(); }

}  // namespace airlock
