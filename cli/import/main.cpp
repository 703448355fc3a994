#include "cli/commands.hpp"
#include "cli/run_cli.hpp"

int main(int argc, char** argv) {
  using namespace airlock;
  return run_cli(argc, argv, "airlock-import", "verify a bundle and bring it into the disconnected site",
                 {verify_command, inspect_command, import_command, join_command, receive_command, promote_command});
}
