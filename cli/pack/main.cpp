#include "cli/commands.hpp"
#include "cli/run_cli.hpp"

int main(int argc, char** argv) {
  using namespace airlock;
  return run_cli(argc, argv, "airlock-pack", "turn a release into one signed, content-addressed bundle",
                 {keygen_command, create_command, images_command, diff_command, split_command, sign_command});
}
