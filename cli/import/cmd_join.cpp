#include "cli/commands.hpp"
#include "formats/bundle_parts.hpp"
#include "importer/import_report.hpp"

namespace airlock {
namespace {

class Join final : public Command {
public:
  Join() : Command("join", "Write the bundle file back from its parts (byte for byte the bundle that was split)") {}

private:
  std::vector<std::string> m_inputs;
  std::string m_output;

  void define(CLI::App& cmd) override {
    cmd.add_option("parts", m_inputs, "A directory of parts, or the part files")->required();
    cmd.add_option("-o,--output", m_output, "Bundle to write (.tar.zst)")->required();
    cmd.footer("verify, inspect and import read parts as they are; join is for those who want the file. Exit status: "
               "0 joined, 2 usage, 3 the parts do not decode.");
  }

  void run(Progress& progress) override {
    print(join_report(join_parts({m_inputs.begin(), m_inputs.end()}, m_output, progress), m_output));
  }
};

}  // namespace

std::unique_ptr<Command> join_command() { return std::make_unique<Join>(); }

}  // namespace airlock
