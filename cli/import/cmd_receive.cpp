#include "cli/commands.hpp"
#include "cli/import/import_flags.hpp"
#include "importer/import_report.hpp"
#include "importer/receive.hpp"

#include <csignal>

#include <atomic>
#include <iostream>

namespace airlock {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_term(int) { g_stop.store(true); }

class Receive final : public Command {
public:
  Receive() : Command("receive", "Import what arrives in a diode's output directory, in sequence order") {}

private:
  std::string m_dir;
  ImportFlags m_flags;
  bool m_once = false;
  std::int64_t m_settle = 30;

  void define(CLI::App& cmd) override {
    cmd.add_option("dir", m_dir, "The directory bundles and parts arrive in")->required();
    m_flags.define(cmd);
    cmd.add_flag("--once", m_once, "Handle what is there and exit (for cron and tests); else watch until SIGTERM");
    cmd.add_option("--settle", m_settle, "Seconds a file must not have changed before it is used (default 30)")
        ->check(CLI::Range(0, 86400));
    cmd.footer("Imported bundles and parts move to DIR/done/, failed ones to DIR/failed/, each with a report beside "
               "it; a delta waits for its base; a set of parts that does not decode is reported once "
               "(DIR/failed/*.undecodable.json) and left in place. Exit status with --once: 0 nothing failed, else "
               "the first failure's (3 verification, 4 registry or git). See docs/DIODE.md.");
  }

  void run(Progress& progress) override {
    ReceiveOptions options{m_dir, m_flags.import_options(), m_settle, std::nullopt};
    struct sigaction sa {};
    sa.sa_handler = on_term;  // no SA_RESTART: the wait for changes ends at once
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    if (m_once) {
      const auto pass = receive_once(options, progress, g_stop);
      print(receive_report(pass));
      switch (pass.exit_code()) {
        case ExitCode::ok: return;
        case ExitCode::verification: throw VerificationError("receive: something failed (see the reports above)");
        case ExitCode::remote: throw RemoteError("receive: a registry or git remote failed (see the reports above)");
        case ExitCode::usage: throw UsageError("receive: something failed (see the reports above)");
        case ExitCode::other: throw Error("receive: something failed (see the reports above)");
      }
    }
    receive_watch(options, progress, g_stop, [&](const ReceivePass& pass) {
      const auto report = receive_report(pass, true);
      if (report.text.empty()) return;
      if (json)
        std::cout << report.json.dump() << "\n";
      else
        std::cout << report.text;
      std::cout.flush();
    });
  }
};

}  // namespace

std::unique_ptr<Command> receive_command() { return std::make_unique<Receive>(); }

}  // namespace airlock
