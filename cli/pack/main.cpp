#include "cli/pack/commands.hpp"
#include "cli/run_cli.hpp"

int main(int argc, char** argv) {
  using namespace airlock;
  return run_cli(argc, argv, "airlock-pack", "turn a release into one signed, content-addressed bundle",
                 {{"keygen", "Create an Ed25519 signing key pair: PREFIX.key (mode 0600) and PREFIX.pub", keygen_command},
                  {"create", "Pack the release SPEC describes into one signed bundle", create_command},
                  {"images", "List the images a bundle of SPEC would hold, and where each was found", images_command},
                  {"sign", "Add signatures to an existing bundle (a second signer); the bundle digest stays the same",
                   sign_command}});
}
