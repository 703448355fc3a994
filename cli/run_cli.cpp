#include "cli/run_cli.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace airlock {

int run_cli(int argc, char** argv, const char* program, const char* description,
            std::initializer_list<CommandEntry> commands) {
  CLI::App app{fmt::format("{}: {}", program, description), program};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<Command>> defined;
  Command* chosen = nullptr;
  for (const auto& entry : commands) {
    std::unique_ptr<Command> command = entry.make();
    CLI::App* sub = app.add_subcommand(entry.name, entry.summary);
    command->define(*sub);
    sub->callback([&chosen, c = command.get()] { chosen = c; });
    defined.push_back(std::move(command));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return static_cast<int>(ExitCode::usage);
  }
  try {
    return chosen ? chosen->run() : static_cast<int>(ExitCode::usage);
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", app.get_name(), e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", app.get_name(), e.what());
    return static_cast<int>(ExitCode::other);
  }
}

}  // namespace airlock
