#include "cli/commands.hpp"
#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "formats/part_writer.hpp"
#include "packer/pack_report.hpp"

namespace airlock {
namespace {

class Create final : public Command {
public:
  Create() : Command("create", "Pack the release SPEC describes into one signed bundle") {}

private:
  PackOptions m_options;
  std::vector<std::string> m_keys, m_bases, m_base_pubkeys;
  std::string m_spec, m_output;
  PartLayout m_layout;
  RegistryFlags m_registry;
  GitFlags m_git;

  void define(CLI::App& cmd) override {
    add_spec_argument(cmd, m_spec);
    cmd.add_option("--key", m_keys,
                   "Ed25519 private key (PEM, from keygen); repeatable: each key signs, for sites whose trust policy "
                   "requires several signers")
        ->required();
    cmd.add_option("-o,--output", m_output, "Bundle to write (.tar.zst); with --part-size, the directory for its parts")
        ->required();
    cmd.add_option("--base", m_bases,
                   "An earlier bundle of this release that the site imported; repeatable. The bundle leaves out "
                   "every layer one of them carried (only their envelopes and image manifests are read)");
    cmd.add_option("--base-pubkey", m_base_pubkeys,
                   "Public key a --base may be signed by, besides the --key keys; repeatable");
    add_part_flags(cmd, m_layout, false);
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
    m_options.bases = {m_bases.begin(), m_bases.end()};
    m_options.base_pubkeys = {m_base_pubkeys.begin(), m_base_pubkeys.end()};
    m_options.registries = registry_access(m_registry);
    m_options.git = git_options(m_git);
    if (m_layout.part_size) m_options.parts = m_layout;
    const auto r = pack(m_options, progress);
    print(pack_report(r, m_output));
  }
};

}  // namespace

std::unique_ptr<Command> create_command() { return std::make_unique<Create>(); }

}  // namespace airlock
