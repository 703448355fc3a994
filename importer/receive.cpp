#include "importer/receive.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/printable.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/part_set.hpp"
#include "importer/import_branch.hpp"
#include "importer/import_report.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <tuple>

namespace airlock {
namespace {

constexpr std::string_view k_bundle_suffix = ".tar.zst";

std::int64_t mtime_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec);
}

void write_report(const std::filesystem::path& path, const std::string& json) {
  AtomicFile out(path, 0644);
  out.write(json);
  out.commit();
}

void make_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directory(dir, ec);
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(fmt::format("cannot create directory {}", printable(dir.string())));
}

// Moves what an item used into `to` (done/ or failed/), with its report.
void file_away(ReceivedItem& item, const std::filesystem::path& to, const std::string& report) {
  make_dir(to);
  for (const auto& f : item.files) {
    std::error_code ec;
    std::filesystem::rename(f, to / f.filename(), ec);
    if (ec) throw Error(fmt::format("cannot move {} into {}: {}", printable(f.string()), to.string(), ec.message()));
  }
  item.report = to / (item.name + ".report.json");
  write_report(item.report, report);
}

std::string failure_json(const ReceivedItem& item) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : item.files) files.push_back(f.filename().string());
  return nlohmann::ordered_json{{"name", item.name},
                                {"outcome", outcome_name(item.outcome)},
                                {"exitCode", static_cast<int>(item.exit_code)},
                                {"error", item.message},
                                {"files", files}}
             .dump(2) +
         "\n";
}

// What DIR holds that may be imported: bundle files by their envelope, part
// sets by their headers; what is still changing is left for later.
std::vector<ReceivedItem> survey(const ReceiveOptions& options, std::int64_t now) {
  std::vector<ReceivedItem> items;
  std::vector<std::filesystem::path> part_files;
  std::error_code ec;
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(options.dir, ec))
    if (!e.path().filename().string().starts_with(".") && e.is_regular_file(ec)) entries.push_back(e.path());
  if (ec) throw UsageError(fmt::format("cannot list {}: {}", printable(options.dir.string()), ec.message()));
  std::sort(entries.begin(), entries.end());
  const auto settled = [&](const std::filesystem::path& p) { return mtime_of(p) <= now - options.settle; };
  for (const auto& path : entries) {
    if (is_part_file(path)) {
      part_files.push_back(path);
      continue;
    }
    const auto name = path.filename().string();
    if (!name.ends_with(k_bundle_suffix)) continue;
    ReceivedItem item;
    item.name = name;
    item.files = {path};
    if (!settled(path)) {
      items.push_back(std::move(item));
      continue;
    }
    // Only to order it; import verifies everything.
    try {
      const BundleReader reader(path);
      const auto index =
          BundleIndex::parse(reader.envelope().payload, fmt::format("{}: {}", reader.name(), k_envelope_entry));
      item.release = index.name;
      item.sequence = index.sequence;
    } catch (const Error& e) {
      item.outcome = ReceivedItem::Outcome::failed;
      item.message = e.what();
      item.exit_code = e.exit_code();
    }
    if (item.outcome == ReceivedItem::Outcome::settling) item.outcome = ReceivedItem::Outcome::imported;  // ready
    items.push_back(std::move(item));
  }
  if (part_files.empty()) return items;
  PartScan scan = scan_parts(part_files);
  for (auto& set : scan.sets) {
    ReceivedItem item;
    item.name = fmt::format("{}-{}-s{}.{}.{}", set.first.release, set.first.version, set.first.sequence,
                            set.first.bundle_digest.hex().substr(0, 12), set.first.set.substr(0, 8));
    item.release = set.first.release;
    item.sequence = set.first.sequence;
    bool all_settled = true;
    for (const auto& group : set.parts)
      for (const auto& p : group)
        if (p) {
          item.files.push_back(p->path);
          all_settled = all_settled && settled(p->path);
        }
    for (const auto& [path, why] : set.rejected) {
      item.files.push_back(path);
      all_settled = all_settled && settled(path);
    }
    if (!all_settled) {
      items.push_back(std::move(item));
      continue;
    }
    try {
      set.require_decodable(printable(options.dir.string()));
      item.outcome = ReceivedItem::Outcome::imported;  // ready
    } catch (const VerificationError& e) {
      item.outcome = ReceivedItem::Outcome::undecodable;
      item.message = e.what();
      item.exit_code = ExitCode::verification;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

const char* outcome_name(ReceivedItem::Outcome outcome) {
  switch (outcome) {
    case ReceivedItem::Outcome::imported: return "imported";
    case ReceivedItem::Outcome::already_imported: return "already-imported";
    case ReceivedItem::Outcome::failed: return "failed";
    case ReceivedItem::Outcome::waiting: return "waiting";
    case ReceivedItem::Outcome::undecodable: return "undecodable";
    case ReceivedItem::Outcome::settling: return "settling";
  }
  return "unknown";
}

ExitCode ReceivePass::exit_code() const {
  for (const auto& i : items)
    if ((i.outcome == ReceivedItem::Outcome::failed || i.outcome == ReceivedItem::Outcome::undecodable) &&
        !i.reported_before)
      return i.exit_code;
  return ExitCode::ok;
}

ReceivePass receive_once(const ReceiveOptions& options, Progress& progress, const std::atomic<bool>& stop) {
  std::error_code ec;
  if (!std::filesystem::is_directory(options.dir, ec))
    throw UsageError(fmt::format("receive: {} is not a directory", printable(options.dir.string())));
  const std::int64_t now = options.now.value_or(unix_now());
  ReceivePass pass;
  pass.items = survey(options, now);
  const auto done = options.dir / "done";
  const auto failed = options.dir / "failed";
  // Ready items by release and sequence: a base before its deltas.
  std::vector<ReceivedItem*> ready;
  for (auto& item : pass.items) {
    if (item.outcome == ReceivedItem::Outcome::imported) ready.push_back(&item);
    if (item.outcome == ReceivedItem::Outcome::failed) file_away(item, failed, failure_json(item));
    if (item.outcome == ReceivedItem::Outcome::undecodable) {
      // Once: the parts stay, in case the rest arrives.
      item.report = failed / (item.name + ".undecodable.json");
      item.reported_before = std::filesystem::exists(item.report, ec);
      if (!item.reported_before) {
        make_dir(failed);
        write_report(item.report, failure_json(item));
      }
    }
  }
  std::stable_sort(ready.begin(), ready.end(), [](const ReceivedItem* a, const ReceivedItem* b) {
    return std::tie(a->release, a->sequence) < std::tie(b->release, b->sequence);
  });
  for (auto* item : ready) {
    if (stop.load()) {
      item->outcome = ReceivedItem::Outcome::settling;  // next time
      continue;
    }
    try {
      const auto report = import_bundle(item->files, options.import, progress);
      if (report.git && report.git->already_imported) item->outcome = ReceivedItem::Outcome::already_imported;
      file_away(*item, done, import_report(report).json.dump(2) + "\n");
    } catch (const BaseNotImported& e) {
      item->outcome = ReceivedItem::Outcome::waiting;
      item->message = e.what();
    } catch (const RemoteError& e) {
      // The registry or the git remote, not the bundle: it stays, for the next pass.
      item->outcome = ReceivedItem::Outcome::failed;
      item->message = std::string(e.what()) + " (left in place: tried again on the next pass)";
      item->exit_code = e.exit_code();
    } catch (const Error& e) {
      item->outcome = ReceivedItem::Outcome::failed;
      item->message = e.what();
      item->exit_code = e.exit_code();
      file_away(*item, failed, failure_json(*item));
    }
  }
  return pass;
}

void receive_watch(const ReceiveOptions& options, Progress& progress, const std::atomic<bool>& stop,
                   const std::function<void(const ReceivePass&)>& on_pass) {
  const Fd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!inotify.valid()) throw Error(fmt::format("cannot watch {}: {}", options.dir.string(), errno_text(errno)));
  if (::inotify_add_watch(inotify.get(), options.dir.c_str(),
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE) < 0)
    throw UsageError(fmt::format("cannot watch {}: {}", printable(options.dir.string()), errno_text(errno)));
  std::set<std::string> waiting;  // reported waiting once: not again every pass
  while (!stop.load()) {
    auto pass = receive_once(options, progress, stop);
    for (auto& item : pass.items)
      if (item.outcome == ReceivedItem::Outcome::waiting) item.reported_before = !waiting.insert(item.name).second;
    on_pass(pass);
    // A change, or the settle time (what was still changing may be ready).
    pollfd p{inotify.get(), POLLIN, 0};
    const int waited = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(options.settle, 1) * 1000));
    if (waited > 0) {
      char buf[4096];
      while (::read(inotify.get(), buf, sizeof buf) > 0) {}
      // Let a burst of writes finish before looking again.
      if (!stop.load()) ::poll(nullptr, 0, 1000);
    }
  }
}

}  // namespace airlock
