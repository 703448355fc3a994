#include "importer/commands.hpp"
#include "importer/import.hpp"
#include "importer/import_report.hpp"

#include <fmt/format.h>

#include <memory>

namespace airlock {

void add_import_command(CLI::App& app, CommandAction& action) {
  struct Opts {
    std::string bundle;
    std::vector<std::string> pubkeys;
    std::string registry;
    std::string prefix;
    std::string ca_file;
    std::string auth_file;
    std::vector<std::string> insecure;
    int uploads = 3;
    unsigned chunk_mib = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("import", "Verify a bundle and load its images into the site's registry, in one pass");
  cmd->add_option("bundle", o->bundle, "Bundle (.tar.zst), or - for standard input")->required();
  cmd->add_option("--pubkey", o->pubkeys, "Trusted Ed25519 public key (PEM); repeatable")->required();
  cmd->add_option("--registry", o->registry, "The internal registry, HOST[:PORT]")->required();
  cmd->add_option("--prefix", o->prefix, "Repository path the images land under (<registry>/<prefix>/<name>)");
  cmd->add_option("--ca-file", o->ca_file, "Extra CA certificates (PEM) to trust for the registry");
  cmd->add_option("--auth-file", o->auth_file,
                  "Registry credentials (docker/podman auth file; default $REGISTRY_AUTH_FILE, ~/.docker/config.json)");
  cmd->add_option("--insecure-registry", o->insecure, "Speak plain HTTP to this host[:port]; repeatable");
  cmd->add_option("--uploads", o->uploads, "Blob uploads in flight")->check(CLI::Range(1, 16));
  cmd->add_option("--chunk-mib", o->chunk_mib,
                  "Upload blobs in PATCH chunks of this many MiB, for a registry or proxy that caps request bodies "
                  "(default: one streaming PUT per blob)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer("Exit status: 0 imported, 2 usage, 3 verification failed (no tag was pushed), 4 registry failed.");
  cmd->callback([o, &action] {
    action = [o] {
      TerminalProgress progress("airlock-import", o->json);
      ImportOptions opts;
      for (const auto& p : o->pubkeys) opts.verify.pubkeys.emplace_back(p);
      opts.registry = o->registry;
      opts.prefix = o->prefix;
      if (!o->ca_file.empty()) opts.ca_file = o->ca_file;
      if (!o->auth_file.empty()) opts.auth_file = o->auth_file;
      opts.insecure_registries = o->insecure;
      opts.uploads = static_cast<std::size_t>(o->uploads);
      opts.upload_chunk = std::uint64_t{o->chunk_mib} << 20;
      const auto report = import_bundle(o->bundle, opts, progress);
      if (o->json) fmt::print("{}\n", import_report_json(report).dump(2));
      else fmt::print("{}", import_report_text(report));
      return 0;
    };
  });
}

}  // namespace airlock
