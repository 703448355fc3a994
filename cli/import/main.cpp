#include "cli/import/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"airlock-import: verify a bundle and bring it into the disconnected site", "airlock-import"};
  app.require_subcommand(1);
  airlock::CommandAction action;
  airlock::add_verify_command(app, action);
  airlock::add_inspect_command(app, action);
  airlock::add_import_command(app, action);
  airlock::add_promote_command(app, action);
  return airlock::run_cli(app, action, argc, argv);
}
