// A raw-socket registry for what an httplib server cannot do (it reads a
// request's whole body before any handler runs, and builds a response's
// headers slowly): HEAD answers 404, POST 202 with a Location, GET 404, a
// PUT or PATCH of at most --keep bytes is taken (201, or 202 for a PATCH),
// and a longer body is read for --keep bytes, then
//   --mode cut           the connection is closed (the client's next write fails);
//   --mode stall         nothing more is read, and the connection is held open;
// or every GET is answered with a header bomb:
//   --mode headers-huge  one 100 MB header line;
//   --mode headers-many  a million short headers.
// Logs one line per request on stdout.

#include "common/error.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace airlock::testkit {
namespace {

std::mutex g_log_mutex;

void log(const std::string& line) {
  std::lock_guard lock(g_log_mutex);
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

void send_all(int c, const std::string& s) { (void)::send(c, s.data(), s.size(), MSG_NOSIGNAL); }

// Writes a 200 status line, then `lines` header lines of `line` each (as
// fast as the client reads), then a tiny body.
void header_bomb(int c, const std::string& line, std::size_t lines) {
  send_all(c, "HTTP/1.1 200 OK\r\n");
  std::string block;
  for (std::size_t i = 0; i < lines; ++i) {
    block += line;
    if (block.size() >= (1 << 20) || i + 1 == lines) {
      if (::send(c, block.data(), block.size(), MSG_NOSIGNAL) < 0) return;  // the client hung up: good
      block.clear();
    }
  }
  send_all(c, "Content-Length: 2\r\n\r\n{}");
}

void serve(int c, const std::string& mode, std::size_t keep) {
  const bool stall = mode == "stall";
  std::string in;
  char buf[4096];
  for (;;) {
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    const std::string head = in.substr(0, end);
    in.erase(0, end + 4);
    const std::string line = head.substr(0, head.find("\r\n"));
    log(line);
    if (head.starts_with("GET") && mode == "headers-huge") {
      header_bomb(c, "X-Pad: " + std::string(100'000'000, 'h') + "\r\n", 1);
      return;
    } else if (head.starts_with("GET") && mode == "headers-many") {
      header_bomb(c, "X-Pad: x\r\n", 1'000'000);
      return;
    } else if (head.starts_with("HEAD") || head.starts_with("GET")) {
      send_all(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    } else if (head.starts_with("POST")) {
      send_all(c, "HTTP/1.1 202 Accepted\r\nLocation: /upload/1\r\nContent-Length: 0\r\n\r\n");
    } else if (head.starts_with("PUT") || head.starts_with("PATCH")) {
      std::size_t length = 0;
      if (const auto at = head.find("Content-Length: "); at != std::string::npos)
        length = std::stoul(head.substr(at + 16, head.find("\r\n", at) - at - 16));
      if (length <= keep) {  // small blobs go in, so the import reaches a large one
        while (in.size() < length) {
          const ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) return;
          in.append(buf, static_cast<std::size_t>(n));
        }
        in.erase(0, length);
        send_all(c, head.starts_with("PUT")
                        ? "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
                        : "HTTP/1.1 202 Accepted\r\nLocation: /upload/1\r\nContent-Length: 0\r\n\r\n");
        continue;
      }
      std::size_t got = in.size();
      while (got < keep) {
        const ssize_t n = ::recv(c, buf, std::min(sizeof buf, keep - got), 0);
        if (n <= 0) return;
        got += static_cast<std::size_t>(n);
      }
      log(fmt::format("{} after {} body bytes", stall ? "stalling" : "closing", got));
      if (stall) std::this_thread::sleep_for(std::chrono::hours(1));
      return;
    } else {
      send_all(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    }
  }
}

}  // namespace

int raw_registry(const std::vector<std::string>& args) {
  std::map<std::string, std::string> opt{{"--keep", "65536"}, {"--mode", "cut"}};
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) opt[args[i]] = args[i + 1];
  if (!opt.contains("--port")) throw UsageError("raw-registry needs --port");
  const std::string mode = opt["--mode"];
  if (mode != "cut" && mode != "stall" && mode != "headers-huge" && mode != "headers-many")
    throw UsageError("raw-registry: --mode cut|stall|headers-huge|headers-many");
  const std::size_t keep = std::stoul(opt["--keep"]);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(std::stoi(opt["--port"])));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0)
    throw Error("raw-registry: cannot listen");
  for (;;) {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    std::thread([c, mode, keep] {
      serve(c, mode, keep);
      ::close(c);
    }).detach();
  }
}

}  // namespace airlock::testkit
