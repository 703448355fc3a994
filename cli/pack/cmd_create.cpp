#include "cli/commands.hpp"
#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Create final : public Command {
public:
  Create() : Command("create", "Pack the release SPEC describes into one signed bundle") {}

private:
  PackOptions m_options;
  std::vector<std::string> m_keys;
  std::string m_spec, m_output;
  RegistryFlags m_registry;
  GitFlags m_git;

  void define(CLI::App& cmd) override {
    add_spec_argument(cmd, m_spec);
    cmd.add_option("--key", m_keys,
                   "Ed25519 private key (PEM, from keygen); repeatable: each key signs, for sites whose trust policy "
                   "requires several signers")
        ->required();
    cmd.add_option("-o,--output", m_output, "Bundle to write (.tar.zst)")->required();
    add_registry_flags(cmd, m_registry);
    add_git_flags(cmd, m_git);
    cmd.add_option("--fetches", m_options.fetches, "Blobs fetched at once, ahead of the archive (default 3)")
        ->check(CLI::Range(1, 16));
    cmd.add_option("--level", m_options.zstd_level, "zstd compression level")->check(CLI::Range(1, 19));
    cmd.add_option("--threads", m_options.workers, "zstd worker threads (0: one per core, at most 4)")
        ->check(CLI::Range(0, 64));
    cmd.footer("The creation time is $SOURCE_DATE_EPOCH when set, so the same inputs give the same index.");
  }

  void run(Progress& progress) override {
    m_options.spec = m_spec;
    m_options.keys = {m_keys.begin(), m_keys.end()};
    m_options.output = m_output;
    m_options.registries = registry_access(m_registry);
    m_options.git = git_options(m_git);
    const auto r = pack(m_options, progress);
    print(pack_report(r, m_output));
  }
};

}  // namespace

std::unique_ptr<Command> create_command() { return std::make_unique<Create>(); }

}  // namespace airlock
