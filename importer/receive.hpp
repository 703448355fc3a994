#pragma once
// `airlock-import receive DIR`: the disconnected end of a diode. What
// arrives in DIR (bundle files and sets of parts) is imported once it has
// stopped growing, bundles of one release in sequence order, then moved to
// DIR/done/ (or DIR/failed/) with a report beside it; when the registry or
// git remote failed, it stays for the next pass. A delta whose base is
// not imported yet waits; a set of parts that does not decode is reported
// once (DIR/failed/<set>.undecodable.json) and left in place in case the
// rest arrives. docs/DIODE.md.

#include "common/progress.hpp"
#include "importer/import.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace airlock {

struct ReceiveOptions {
  std::filesystem::path dir;
  ImportOptions import;
  std::int64_t settle = 30;         // seconds a file must not have changed
  std::optional<std::int64_t> now;  // for tests; unset: the clock
};

struct ReceivedItem {
  enum class Outcome { imported, already_imported, failed, waiting, undecodable, settling };
  Outcome outcome = Outcome::settling;
  std::string name;  // the bundle file's name, or the set's
  std::string release;
  std::uint64_t sequence = 0;
  std::vector<std::filesystem::path> files;
  std::string message;  // the error, for failed, waiting, undecodable
  ExitCode exit_code = ExitCode::ok;
  std::filesystem::path report;  // where its report went, when one was written
  bool reported_before = false;  // undecodable with its report already there, or (watching) waiting as before
};

struct ReceivePass {
  std::vector<ReceivedItem> items;
  // The exit code of the first failure (undecodable counts), else ok.
  [[nodiscard]] ExitCode exit_code() const;
};

// One look at DIR: everything ready is handled; `stop` is asked between
// imports (SIGTERM). Throws UsageError when DIR cannot be read.
[[nodiscard]] ReceivePass receive_once(const ReceiveOptions& options, Progress& progress,
                                       const std::atomic<bool>& stop);

// Passes until `stop`: after each, waits for DIR to change (inotify) or for
// `settle` seconds, whichever comes first. `on_pass` sees each pass.
void receive_watch(const ReceiveOptions& options, Progress& progress, const std::atomic<bool>& stop,
                   const std::function<void(const ReceivePass&)>& on_pass);

[[nodiscard]] const char* outcome_name(ReceivedItem::Outcome outcome);

}  // namespace airlock
