#include "cli/commands.hpp"
#include "formats/bundle_parts.hpp"
#include "formats/part_writer.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Split final : public Command {
public:
  Split() : Command("split", "Split a finished bundle into parts with parity, for a diode or size-limited media") {}

private:
  std::string m_bundle, m_output = ".";
  PartLayout m_layout;

  void define(CLI::App& cmd) override {
    add_bundle_argument(cmd, m_bundle);
    add_part_flags(cmd, m_layout, true);
    cmd.add_option("-o,--output", m_output, "Directory to write the parts into (created when missing)")
        ->capture_default_str();
    cmd.footer("Any --parity parts of each group may be lost or damaged and the bundle is still whole. The parts are "
               "named <release>-<version>-s<sequence>.<bundle digest>.g<group>.d<NN>|p<NN>.part and appear only once "
               "all are written. Exit status: 0 split, 2 usage, 3 not a bundle. See docs/DIODE.md.");
  }

  void run(Progress& progress) override {
    print(split_report(split_bundle(m_bundle, m_output, m_layout, progress), m_layout));
  }
};

}  // namespace

std::unique_ptr<Command> split_command() { return std::make_unique<Split>(); }

}  // namespace airlock
