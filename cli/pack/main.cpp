#include "cli/pack/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"airlock-pack: turn a release into one signed, content-addressed bundle", "airlock-pack"};
  app.require_subcommand(1);
  airlock::CommandAction action;
  airlock::add_keygen_command(app, action);
  airlock::add_create_command(app, action);
  airlock::add_images_command(app, action);
  airlock::add_sign_command(app, action);
  return airlock::run_cli(app, action, argc, argv);
}
