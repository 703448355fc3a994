#include "cli/commands.hpp"
#include "cli/git_flags.hpp"
#include "cli/registry_flags.hpp"
#include "formats/ed25519_key.hpp"
#include "packer/release_diff.hpp"
#include "packer/signing_keys.hpp"

namespace airlock {
namespace {

class Diff final : public Command {
public:
  Diff() : Command("diff", "Show what changed from OLD to NEW and what a delta of NEW against OLD would carry") {}

private:
  std::string m_old, m_new;
  std::vector<std::string> m_keys, m_pubkeys;
  int m_fetches = 3;
  RegistryFlags m_registry;
  GitFlags m_git;

  void define(CLI::App& cmd) override {
    cmd.add_option("OLD", m_old, "The earlier release: a bundle, or a spec")->required();
    cmd.add_option("NEW", m_new, "The later release: a bundle, or a spec")->required();
    cmd.add_option("--key", m_keys, "Private key whose public half a bundle must be signed by; repeatable");
    cmd.add_option("--base-pubkey", m_pubkeys, "Public key a bundle may be signed by; repeatable");
    cmd.add_option("--fetches", m_fetches, "Images resolved at once (default 3)")->check(CLI::Range(1, 16));
    add_registry_flags(cmd, m_registry);
    add_git_flags(cmd, m_git);
    cmd.footer("A bundle's envelope and image manifests are read; a spec's images are resolved from their registries "
               "(manifests and configs only). Nothing is written. Without a key a bundle is shown NOT VERIFIED. Exit "
               "status: 0 shown, 2 usage, 3 a bundle that does not verify, 4 a registry or git remote failed.");
  }

  void run(Progress& progress) override {
    std::vector<PublicKey> trusted;
    if (!m_keys.empty())
      for (const auto& k : load_signing_keys({m_keys.begin(), m_keys.end()})) trusted.push_back(k.public_key());
    for (const auto& p : m_pubkeys) trusted.push_back(PublicKey::load(p));
    const auto access = registry_access(m_registry);
    const auto git = git_options(m_git);
    auto old_release = release_contents(m_old, trusted, access, git, m_fetches, progress);
    auto new_release = release_contents(m_new, trusted, access, git, m_fetches, progress);
    print(diff_report(diff_releases(std::move(old_release), std::move(new_release))));
  }
};

}  // namespace

std::unique_ptr<Command> diff_command() { return std::make_unique<Diff>(); }

}  // namespace airlock
