#include "cli/pack/commands.hpp"
#include "cli/report_output.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Keygen final : public Command {
  std::string m_prefix;
  bool m_json = false;

  void define(CLI::App& cmd) override {
    cmd.add_option("--out", m_prefix, "Path prefix of the key files")->required();
    add_json_flag(cmd, m_json);
  }

  int run() override {
    const auto r = keygen(m_prefix);
    print_report(m_json, keygen_report_json(r), keygen_report_text(r));
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> keygen_command() { return std::make_unique<Keygen>(); }

}  // namespace airlock
