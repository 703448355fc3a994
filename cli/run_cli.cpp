#include "cli/run_cli.hpp"

#include "cli/terminal_progress.hpp"
#include "common/error.hpp"
#include "common/printable.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>

namespace airlock {

// What reaches the terminal is escaped once more as a whole (the library
// escapes each untrusted field): no byte from outside can drive the
// terminal, whatever a message quotes. JSON escapes by construction; text
// that is not UTF-8 is replaced rather than refused.
void Command::print(const Report& report) const {
  if (json)
    fmt::print("{}\n", report.json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  else
    fmt::print("{}", terminal_safe(report.text));
}

int run_cli(int argc, char** argv, const char* program, const char* description,
            std::initializer_list<CommandFactory> commands) {
  // A registry or git remote that closes a connection mid-upload must be an
  // error that names it (EPIPE, then RemoteError), not a silent exit 141.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{fmt::format("{}: {}", program, description), program};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<Command>> defined;
  Command* chosen = nullptr;
  for (const auto make : commands) {
    auto command = make();
    CLI::App& sub = *app.add_subcommand(command->name, command->summary);
    command->define(sub);
    sub.add_flag("--json", command->json, "Print one JSON document");
    sub.callback([&chosen, c = command.get()] { chosen = c; });
    defined.push_back(std::move(command));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 would quote the offending argument raw.
    fmt::print(stderr, "{}: error: {}\nRun with --help for more information.\n", program, terminal_safe(e.what()));
    return static_cast<int>(ExitCode::usage);
  }
  try {
    TerminalProgress progress(program, chosen->json);
    chosen->run(progress);
    return static_cast<int>(ExitCode::ok);
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", program, terminal_safe(e.what()));
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", program, terminal_safe(e.what()));
    return static_cast<int>(ExitCode::other);
  }
}

}  // namespace airlock
