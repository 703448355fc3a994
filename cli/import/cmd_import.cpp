#include "cli/commands.hpp"
#include "cli/import/import_flags.hpp"
#include "importer/import_report.hpp"

namespace airlock {
namespace {

class Import final : public Command {
public:
  Import() : Command("import", "Verify a bundle and load its images into the site's registry, in one pass") {}

private:
  std::vector<std::string> m_bundle;
  ImportFlags m_flags;

  void define(CLI::App& cmd) override {
    add_bundle_inputs(cmd, m_bundle);
    m_flags.define(cmd);
    cmd.footer("Exit status: 0 imported (or already imported), 2 usage, 3 verification failed, rollback or expired "
               "(nothing was tagged or committed, unless a newer import won a race for the branch), 4 registry or "
               "git remote failed. See docs/OPERATIONS.md.");
  }

  void run(Progress& progress) override {
    const auto report = import_bundle({m_bundle.begin(), m_bundle.end()}, m_flags.import_options(), progress);
    print(import_report(report));
  }
};

}  // namespace

std::unique_ptr<Command> import_command() { return std::make_unique<Import>(); }

}  // namespace airlock
