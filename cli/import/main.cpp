#include "cli/import/commands.hpp"
#include "cli/run_cli.hpp"

int main(int argc, char** argv) {
  using namespace airlock;
  return run_cli(argc, argv, "airlock-import", "verify a bundle and bring it into the disconnected site",
                 {{"verify", "Check a bundle's signature against trusted keys, and every entry's digest", verify_command},
                  {"inspect", "Show what a bundle holds (reads only its envelope; verifies nothing)", inspect_command},
                  {"import", "Verify a bundle and load its images into the site's registry, in one pass", import_command},
                  {"promote", "Merge the import branch into an environment branch", promote_command}});
}
