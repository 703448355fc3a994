#include "cli/run_cli.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>

namespace airlock {

int run_cli(CLI::App& app, const CommandAction& action, int argc, char** argv) {
  // A registry or git remote that closes a connection mid-upload must be an
  // error that names it (EPIPE, then RemoteError), not a silent exit 141.
  std::signal(SIGPIPE, SIG_IGN);
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
    return action();
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
