#include "common/credential_helper.hpp"

#include "common/error.hpp"
#include "common/fd.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace airlock {
namespace {

constexpr std::size_t k_max_output = 64 * 1024;

std::pair<Fd, Fd> make_pipe(const std::string& what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("{}: pipe: {}", what, std::strerror(errno)));
  return {Fd(fds[0]), Fd(fds[1])};
}

// "exited with status 1", "was killed by signal 9"
std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return "ended";
}

std::string first_line(std::string text) {
  if (const auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

}  // namespace

std::optional<HelperCredentials> run_credential_helper(const std::string& helper, const std::string& server,
                                                       std::chrono::seconds timeout) {
  const std::string program = "docker-credential-" + helper;
  const std::string what = fmt::format("credential helper {} (for {})", program, server);
  if (helper.empty() || helper.find('/') != std::string::npos)
    throw UsageError(fmt::format("{}: \"{}\" is not a helper name", what, helper));

  // The server address fits the pipe's buffer, so it is written before the
  // helper starts: a helper that exits without reading cannot SIGPIPE us.
  auto [in_read, in_write] = make_pipe(what);
  if (::write(in_write.get(), server.data(), server.size()) != static_cast<ssize_t>(server.size()))
    throw Error(fmt::format("{}: write: {}", what, std::strerror(errno)));
  in_write.reset();
  auto [out_read, out_write] = make_pipe(what);
  auto [err_read, err_write] = make_pipe(what);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  std::string arg0 = program, arg1 = "get";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  in_read.reset();
  out_write.reset();
  err_write.reset();
  if (rc == ENOENT) throw UsageError(fmt::format("{}: {} is not installed (not found on PATH)", what, program));
  if (rc != 0) throw UsageError(fmt::format("{}: cannot run it: {}", what, std::strerror(rc)));

  // Both outputs, until they close or the deadline passes.
  std::string out, err;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  std::vector<std::pair<int, std::string*>> open{{out_read.get(), &out}, {err_read.get(), &err}};
  while (!open.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    std::vector<pollfd> fds;
    for (const auto& [fd, _] : open) fds.push_back({fd, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
      throw Error(fmt::format("{}: poll: {}", what, std::strerror(e)));
    }
    for (std::size_t i = fds.size(); i-- > 0;) {
      if (!fds[i].revents) continue;
      char buf[4096];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      std::string& sink = *open[i].second;
      if (got <= 0) {
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
      } else if (sink.size() < k_max_output) {
        sink.append(buf, static_cast<std::size_t>(got));
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (timed_out)
    throw UsageError(
        fmt::format("{}: no answer within {} s (is it waiting for a passphrase or an unlock?)", what, timeout.count()));

  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // The protocol's answer for an unknown server, on stdout.
    if (out.find("credentials not found") != std::string::npos) return std::nullopt;
    const auto why = first_line(!err.empty() ? err : out);
    throw UsageError(fmt::format("{}: {}{}", what, describe_status(status), why.empty() ? "" : ": " + why));
  }
  const auto j = nlohmann::json::parse(out, nullptr, false);
  if (!j.is_object() || !j.contains("Username") || !j.contains("Secret") || !j["Username"].is_string() ||
      !j["Secret"].is_string())
    throw UsageError(fmt::format("{}: its answer is not {{\"Username\", \"Secret\"}} JSON", what));
  HelperCredentials c{j["Username"].get<std::string>(), j["Secret"].get<std::string>()};
  // Older helpers answer an unknown server with empty fields and status 0.
  if (c.username.empty() && c.secret.empty()) return std::nullopt;
  return c;
}

}  // namespace airlock
