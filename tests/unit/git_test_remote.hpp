#pragma once
// Real git remotes for the unit tests of the git code: bare repositories
// made and read back by the git CLI, and servers (git daemon, git
// http-backend behind TLS and basic auth) on loopback ports.

#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace airlock::test {

inline std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline int run(const std::string& cmd) { return std::system(("(" + cmd + ") > /dev/null 2>&1").c_str()); }

// The command's standard output without its trailing newlines.
inline std::string output(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2> /dev/null").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A bare repository made by the git CLI, read back with it.
struct BareRemote {
  TempDir dir{"airlock-git-test"};
  std::string path = (dir.path() / "remote.git").string();
  std::string url = "file://" + path;

  BareRemote() { REQUIRE(run("git init -q --bare " + q(path)) == 0); }
  [[nodiscard]] std::string git(const std::string& args) const {
    return output("git --git-dir=" + q(path) + " " + args);
  }
  [[nodiscard]] bool has(const std::string& object) const {
    return run("git --git-dir=" + q(path) + " cat-file -e " + q(object)) == 0;
  }
};

inline sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto a = loopback(0);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const auto a = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A server process listening on a loopback port, stopped at scope exit.
class Server {
public:
  // Starts `args` (with PORT replaced by a free port) until one listens.
  explicit Server(const std::vector<std::string>& args) {
    for (int tries = 0; tries < 5 && m_pid <= 0; ++tries) start(args, free_port());
    REQUIRE(m_pid > 0);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
  }
  [[nodiscard]] int port() const { return m_port; }

private:
  void start(std::vector<std::string> args, int port) {
    for (auto& a : args)
      if (const auto at = a.find("PORT"); at != std::string::npos) a.replace(at, 4, std::to_string(port));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    for (int i = 0; i < 200; ++i) {
      if (accepts(port)) {
        m_pid = pid;
        m_port = port;
        return;
      }
      if (::waitpid(pid, nullptr, WNOHANG) == pid) return;  // the port was taken: try another
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }

  pid_t m_pid = 0;
  int m_port = 0;
};

// An https git server: TLS from a test CA, Basic authentication against a
// list of user:password pairs, every Authorization header logged, and git
// http-backend behind it.
inline constexpr const char* k_https_server = R"PY(
import base64, http.server, os, ssl, subprocess, sys
root, cert, key, log, port = sys.argv[1:6]
accepted = {'Basic ' + base64.b64encode(c.encode()).decode() for c in sys.argv[6:]}
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self): self.serve()
    def do_POST(self): self.serve()
    def log_message(self, *args): pass
    def body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            data = b''
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                chunk = self.rfile.read(size + 2)
                if size == 0: return data
                data += chunk[:-2]
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))
    def serve(self):
        auth = self.headers.get('Authorization', '')
        with open(log, 'a') as f: f.write((auth or '-') + '\n')
        body = self.body()
        if auth not in accepted:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="git"')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        path, _, query = self.path.partition('?')
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL='1', PATH_INFO=path, QUERY_STRING=query,
                   REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get('Content-Type', ''),
                   CONTENT_LENGTH=str(len(body)), REMOTE_USER='tester', REMOTE_ADDR='127.0.0.1')
        out = subprocess.run(['git', 'http-backend'], input=body, env=env, capture_output=True).stdout
        head, _, rest = out.partition(b'\r\n\r\n')
        status, headers = 200, []
        for line in head.decode().split('\r\n'):
            name, _, value = line.partition(':')
            if name.lower() == 'status': status = int(value.split()[0])
            elif name: headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header('Content-Length', str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)
server = http.server.ThreadingHTTPServer(('127.0.0.1', int(port)), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
)PY";

}  // namespace airlock::test
