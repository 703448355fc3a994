#include "cli/git_flags.hpp"
#include "cli/commands.hpp"
#include "cli/registry_flags.hpp"
#include "cli/trust_flags.hpp"
#include "common/error.hpp"
#include "importer/import_report.hpp"

namespace airlock {
namespace {

class Import final : public Command {
public:
  Import() : Command("import", "Verify a bundle and load its images into the site's registry, in one pass") {}

private:
  ImportOptions m_options;
  std::vector<std::string> m_bundle;
  TrustFlags m_trust;
  RegistryFlags m_access;
  unsigned m_chunk_mib = 0;
  std::string m_git, m_branch = "dev", m_path, m_values;
  GitFlags m_git_flags;

  void define(CLI::App& cmd) override {
    add_bundle_inputs(cmd, m_bundle);
    add_trust_flags(cmd, m_trust);
    cmd.add_option("--registry", m_options.registry,
                   "The internal registry, HOST[:PORT], to load the images into (with --git alone: the registry the "
                   "branch's last import of this release used)");
    cmd.add_option("--prefix", m_options.prefix, "Repository path the images land under (<registry>/<prefix>/<name>)");
    add_registry_flags(cmd, m_access);
    cmd.add_option("--uploads", m_options.uploads, "Blob uploads in flight")->check(CLI::Range(1, 16));
    cmd.add_option("--chunk-mib", m_chunk_mib,
                   "Upload blobs in PATCH chunks of this many MiB, for a registry or proxy that caps request bodies "
                   "(default: one streaming PUT per blob)")
        ->check(CLI::Range(1, 4096));
    cmd.add_option("--git", m_git,
                   "Commit the rendered release to this git remote (file://, git://, ssh://, https://)");
    cmd.add_option("--branch", m_branch, "The import branch (created when missing)")->capture_default_str();
    cmd.add_option("--path", m_path, "Directory of the release in the branch (default: the release's name)");
    cmd.add_option("--values", m_values,
                   "Site values for the release's ${airlock:NAME} placeholders (YAML NAME: value)");
    add_git_flags(cmd, m_git_flags);
    cmd.footer("Exit status: 0 imported (or already imported), 2 usage, 3 verification failed, rollback or expired "
               "(nothing was tagged or committed, unless a newer import won a race for the branch), 4 registry or "
               "git remote failed. See docs/OPERATIONS.md.");
  }

  void run(Progress& progress) override {
    m_options.verify = verify_options(m_trust);
    m_options.access = registry_access(m_access);
    m_options.upload_chunk = std::uint64_t{m_chunk_mib} << 20;
    if (!m_git.empty()) {
      m_options.git = GitTarget{m_git, m_branch, std::nullopt, git_options(m_git_flags)};
      if (!m_path.empty()) m_options.git->path = m_path;
    } else if (!m_path.empty() || !m_values.empty()) {
      throw UsageError("--path and --values need --git");
    }
    if (!m_values.empty()) m_options.values_file = m_values;
    const auto report = import_bundle({m_bundle.begin(), m_bundle.end()}, m_options, progress);
    print(import_report(report));
  }
};

}  // namespace

std::unique_ptr<Command> import_command() { return std::make_unique<Import>(); }

}  // namespace airlock
