// Branches of real bare remotes (file:// and git daemon's git://), updated
// and promoted through libgit2 and checked with the git CLI.
#include "importer/git_branch.hpp"

#include "common/scope_guard.hpp"
#include "common/temp_dir.hpp"
#include "tests/unit/error_matcher.hpp"

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
#include <thread>

extern char** environ;

using namespace airlock;
using airlock::test::FailsWith;
using Catch::Matchers::Contains;
using Files = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run(const std::string& cmd) { return std::system(("(" + cmd + ") > /dev/null 2>&1").c_str()); }

// The command's standard output without its trailing newlines.
std::string output(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2> /dev/null").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void set_identity() {
  ::setenv("GIT_AUTHOR_NAME", "Site Importer", 1);
  ::setenv("GIT_AUTHOR_EMAIL", "importer@site.example", 1);
  ::unsetenv("GIT_COMMITTER_NAME");  // falls back to the author
  ::unsetenv("GIT_COMMITTER_EMAIL");
}

// A bare repository made by the git CLI, read back with it.
struct BareRemote {
  TempDir dir{"airlock-git-test"};
  std::string path = (dir.path() / "remote.git").string();
  std::string url = "file://" + path;

  BareRemote() { REQUIRE(run("git init -q --bare " + q(path)) == 0); }
  [[nodiscard]] std::string git(const std::string& args) const { return output("git --git-dir=" + q(path) + " " + args); }
  [[nodiscard]] bool has(const std::string& object) const {
    return run("git --git-dir=" + q(path) + " cat-file -e " + q(object)) == 0;
  }
};

UpdateResult commit_files(const std::string& url, const std::string& branch, Files files, const std::string& message,
                          std::vector<std::string> replace_dirs = {}, const GitOptions& options = {}) {
  return update_branch(url, branch, options, [&](const BranchSnapshot&) {
    return std::optional<CommitPlan>(CommitPlan{replace_dirs, files, message});
  });
}

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto a = loopback(0);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(int port) {
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
constexpr const char* k_https_server = R"PY(
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

}  // namespace

TEST_CASE("fetching an empty remote or a missing branch gives an empty snapshot", "[git]") {
  set_identity();
  BareRemote remote;
  const auto empty = fetch_branch(remote.url, "dev", {});
  CHECK(empty.url() == remote.url);
  CHECK(empty.branch() == "dev");
  CHECK_FALSE(empty.commit());
  CHECK_FALSE(empty.read("demo/app.yaml"));
  CHECK(empty.list("").empty());

  (void)commit_files(remote.url, "main", {{"a.yaml", "a: 1\n"}}, "on main");
  const auto missing = fetch_branch(remote.url, "dev", {});
  CHECK_FALSE(missing.commit());
  CHECK(missing.list("").empty());
}

TEST_CASE("update_branch creates a branch with a root commit", "[git]") {
  set_identity();
  BareRemote remote;
  const std::string message = "Import demo 1.0 (sequence 1)\n\nAirlock-Bundle: sha256:0123";
  const auto r = commit_files(remote.url, "dev",
                              {{"demo/app.yaml", "kind: Deployment\n"},
                               {"demo/sub/more.yaml", "kind: Service\n"},
                               {".airlock/state.json", "{}\n"}},
                              message);
  REQUIRE(r.commit);
  CHECK(r.created_branch);
  CHECK(r.attempts == 1);
  CHECK(remote.git("rev-parse dev") == *r.commit);
  CHECK(remote.git("rev-list --count dev") == "1");
  CHECK(remote.git("show dev:demo/app.yaml") == "kind: Deployment");
  CHECK(remote.git("log -1 --format=%B dev") == message);
  CHECK(remote.git("log -1 --format='%an <%ae>|%cn <%ce>' dev") ==
        "Site Importer <importer@site.example>|Site Importer <importer@site.example>");

  const auto snap = fetch_branch(remote.url, "dev", {});
  CHECK(snap.commit() == r.commit);
  CHECK(snap.read("demo/sub/more.yaml") == std::optional<std::string>("kind: Service\n"));
  CHECK_FALSE(snap.read("demo"));
  CHECK_FALSE(snap.read("demo/none.yaml"));
  CHECK(snap.list("demo") == std::vector<std::string>{"app.yaml", "sub/more.yaml"});
  CHECK(snap.list("demo/") == std::vector<std::string>{"app.yaml", "sub/more.yaml"});
  CHECK(snap.list("").size() == 3);
  CHECK(snap.list("nothing").empty());
}

TEST_CASE("update_branch replaces a directory and keeps everything else", "[git]") {
  set_identity();
  BareRemote remote;
  const auto first = commit_files(remote.url, "dev",
                                  {{"demo/a.yaml", "a\n"},
                                   {"demo/sub/b.yaml", "b\n"},
                                   {"other/keep.yaml", "keep\n"},
                                   {"README.md", "readme\n"}},
                                  "first");
  ::setenv("GIT_COMMITTER_NAME", "Site Robot", 1);
  ::setenv("GIT_COMMITTER_EMAIL", "robot@site.example", 1);
  const auto second =
      commit_files(remote.url, "dev", {{"demo/c.yaml", "c\n"}, {".airlock/state.json", "{}\n"}}, "second", {"demo"});
  set_identity();
  REQUIRE(second.commit);
  CHECK_FALSE(second.created_branch);
  CHECK(remote.git("rev-parse dev^") == *first.commit);
  CHECK(remote.git("log -1 --format='%an|%cn <%ce>' dev") == "Site Importer|Site Robot <robot@site.example>");
  CHECK_FALSE(remote.has("dev:demo/a.yaml"));
  CHECK_FALSE(remote.has("dev:demo/sub/b.yaml"));
  CHECK(remote.git("show dev:demo/c.yaml") == "c");
  CHECK(remote.git("show dev:other/keep.yaml") == "keep");
  CHECK(remote.git("show dev:README.md") == "readme");
  CHECK(fetch_branch(remote.url, "dev", {}).list("demo") == std::vector<std::string>{"c.yaml"});
}

TEST_CASE("a plan with nothing to commit makes no commit", "[git]") {
  set_identity();
  BareRemote remote;
  const auto none = update_branch(remote.url, "dev", {}, [](const BranchSnapshot&) { return std::nullopt; });
  CHECK_FALSE(none.commit);
  CHECK_FALSE(none.created_branch);
  CHECK(run("git --git-dir=" + q(remote.path) + " rev-parse --verify dev") != 0);

  const auto first = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "first");
  const auto same = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "same again", {"demo"});
  CHECK_FALSE(same.commit);
  CHECK(remote.git("rev-parse dev") == *first.commit);

  REQUIRE_THROWS_MATCHES(update_branch(remote.url, "dev", {},
                                       [](const BranchSnapshot&) -> std::optional<CommitPlan> {
                                         throw VerificationError("rollback refused");
                                       }),
                         VerificationError, FailsWith(ExitCode::verification, {"rollback refused"}));
  CHECK(remote.git("rev-parse dev") == *first.commit);
}

TEST_CASE("update_branch plans again when the branch moved meanwhile, without force", "[git]") {
  set_identity();
  BareRemote remote;
  const auto first = commit_files(remote.url, "dev", {{"demo/a.yaml", "a\n"}}, "first");
  const auto work = (remote.dir.path() / "work").string();
  int calls = 0;
  const auto r = update_branch(remote.url, "dev", {}, [&](const BranchSnapshot& snap) {
    if (++calls == 1) {
      CHECK(snap.commit() == first.commit);
      // Someone else pushes to dev between our fetch and our push.
      REQUIRE(run("git clone -q -b dev " + q(remote.url) + " " + q(work)) == 0);
      REQUIRE(run("echo elsewhere > " + q(work + "/other.txt") + " && git -C " + q(work) + " add other.txt && git -C " +
                  q(work) + " -c user.name=Other -c user.email=other@example commit -qm elsewhere && git -C " +
                  q(work) + " push -q origin dev") == 0);
    } else {
      CHECK(snap.read("other.txt") == std::optional<std::string>("elsewhere\n"));
    }
    return std::optional<CommitPlan>(CommitPlan{{"demo"}, {{"demo/b.yaml", "b\n"}}, "ours"});
  });
  REQUIRE(r.commit);
  CHECK(calls == 2);
  CHECK(r.attempts == 2);
  CHECK_FALSE(r.created_branch);
  CHECK(remote.git("rev-parse dev") == *r.commit);
  CHECK(remote.git("log --format=%s dev") == "ours\nelsewhere\nfirst");
  const auto elsewhere = output("git -C " + q(work) + " rev-parse HEAD");
  CHECK(remote.git("rev-parse dev^") == elsewhere);
  CHECK(run("git --git-dir=" + q(remote.path) + " merge-base --is-ancestor " + elsewhere + " dev") == 0);
  CHECK(remote.git("show dev:other.txt") == "elsewhere");
  CHECK_FALSE(remote.has("dev:demo/a.yaml"));
}

TEST_CASE("promote creates, fast-forwards, then is up to date", "[git]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "one");
  const auto created = promote_branch(remote.url, "dev", "prod", {});
  CHECK(created.kind == PromoteResult::Kind::created);
  CHECK(created.commit == remote.git("rev-parse dev"));
  CHECK(remote.git("rev-parse prod") == remote.git("rev-parse dev"));

  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 2\n"}}, "two");
  const auto ff = promote_branch(remote.url, "dev", "prod", {});
  CHECK(ff.kind == PromoteResult::Kind::fast_forward);
  CHECK(ff.commit == remote.git("rev-parse dev"));
  CHECK(remote.git("rev-parse prod") == remote.git("rev-parse dev"));

  const auto again = promote_branch(remote.url, "dev", "prod", {});
  CHECK(again.kind == PromoteResult::Kind::up_to_date);
  CHECK(again.commit == remote.git("rev-parse prod"));

  REQUIRE_THROWS_MATCHES(promote_branch(remote.url, "nope", "prod", {}), UsageError,
                         FailsWith(ExitCode::usage, {"nope", remote.url}));
}

TEST_CASE("promote merges and keeps the files only the environment branch has", "[git]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "one");
  (void)promote_branch(remote.url, "dev", "prod", {});
  (void)commit_files(remote.url, "prod", {{"overlays/prod/kustomization.yaml", "resources: [../../demo]\n"}},
                     "prod overlay");
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "replicas: 5\n"}}, "five", {"demo"});
  const auto prod_before = remote.git("rev-parse prod");
  const auto dev_tip = remote.git("rev-parse dev");

  const auto merged = promote_branch(remote.url, "dev", "prod", {});
  CHECK(merged.kind == PromoteResult::Kind::merged);
  CHECK(merged.commit == remote.git("rev-parse prod"));
  CHECK(remote.git("rev-list --parents -1 prod") == merged.commit + " " + prod_before + " " + dev_tip);
  CHECK(remote.git("log -1 --format=%B prod") == "Promote dev into prod");
  CHECK(remote.git("log -1 --format=%an prod") == "Site Importer");
  CHECK(remote.git("show prod:overlays/prod/kustomization.yaml") == "resources: [../../demo]");
  CHECK(remote.git("show prod:demo/app.yaml") == "replicas: 5");
  CHECK(remote.git("rev-parse dev") == dev_tip);

  CHECK(promote_branch(remote.url, "dev", "prod", {}).kind == PromoteResult::Kind::up_to_date);
}

TEST_CASE("a conflicting promote lists the files and leaves the branch where it was", "[git]") {
  set_identity();
  BareRemote remote;
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "kind: Deployment\nreplicas: 1\n"}}, "one");
  (void)promote_branch(remote.url, "dev", "prod", {});
  (void)commit_files(remote.url, "prod", {{"demo/app.yaml", "kind: Deployment\nreplicas: 9  # hotfix\n"}}, "hotfix");
  (void)commit_files(remote.url, "dev", {{"demo/app.yaml", "kind: Deployment\nreplicas: 5\n"}, {"demo/new.yaml", "n\n"}},
                     "five");
  const auto prod_before = remote.git("rev-parse prod");
  try {
    (void)promote_branch(remote.url, "dev", "prod", {});
    FAIL("no conflict reported");
  } catch (const PromoteConflict& e) {
    CHECK(e.files() == std::vector<std::string>{"demo/app.yaml"});
    CHECK_THAT(e.what(), Contains("conflict") && Contains("demo/app.yaml") && Contains("prod"));
    CHECK(e.exit_code() == ExitCode::other);
  }
  CHECK(remote.git("rev-parse prod") == prod_before);
}

TEST_CASE("remotes that cannot be used are remote or usage errors naming them", "[git]") {
  set_identity();
  TempDir dir("airlock-git-test");
  const auto url = "file://" + (dir.path() / "none.git").string();
  REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {url, "dev"}));
  REQUIRE_THROWS_MATCHES(commit_files(url, "dev", {{"a", "a"}}, "m"), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev"}));
  REQUIRE_THROWS_MATCHES(promote_branch(url, "dev", "prod", {}), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev", "prod"}));
  REQUIRE_THROWS_MATCHES(fetch_branch("http://user:secret@git.example/r.git", "dev", {}), UsageError,
                         FailsWith(ExitCode::usage, {"unsupported URL", "user:***@git.example"}));
  REQUIRE_THROWS_MATCHES(fetch_branch("ftp://git.example/r.git", "dev", {}), UsageError,
                         FailsWith(ExitCode::usage, {"ftp://git.example/r.git"}));
  REQUIRE_THROWS_MATCHES(fetch_branch(url, "bad..name", {}), UsageError, FailsWith(ExitCode::usage, {"bad..name"}));
  GitOptions missing_key;
  missing_key.ssh_key = dir.path() / "no-key";
  REQUIRE_THROWS_MATCHES(fetch_branch("ssh://git@git.example/r.git", "dev", missing_key), UsageError,
                         FailsWith(ExitCode::usage, {"no-key"}));
}

TEST_CASE("without an author identity update_branch is a usage error saying how to set one", "[git]") {
  if (!output("git config --system user.name").empty() || !output("git config --system user.email").empty()) {
    WARN("skipped: the system git config has an identity");
    return;
  }
  TempDir home("airlock-git-test");
  const auto saved = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const char* names[] = {"HOME", "XDG_CONFIG_HOME", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                         "GIT_COMMITTER_EMAIL"};
  std::vector<std::optional<std::string>> before;
  for (const char* n : names) before.push_back(saved(n));
  ScopeGuard restore([&] {
    for (std::size_t i = 0; i < before.size(); ++i)
      before[i] ? ::setenv(names[i], before[i]->c_str(), 1) : ::unsetenv(names[i]);
  });
  for (const char* n : names) ::unsetenv(n);
  ::setenv("HOME", home.path().c_str(), 1);
  ::setenv("XDG_CONFIG_HOME", home.path().c_str(), 1);
  BareRemote remote;
  REQUIRE_THROWS_MATCHES(commit_files(remote.url, "dev", {{"a", "a"}}, "m"), UsageError,
                         FailsWith(ExitCode::usage, {"GIT_AUTHOR_NAME", "user.name"}));
  CHECK(run("git --git-dir=" + q(remote.path) + " rev-parse --verify dev") != 0);
}

TEST_CASE("update, fetch and promote over git:// (git daemon)", "[git]") {
  set_identity();
  TempDir served("airlock-git-test");
  const auto repo = (served.path() / "net.git").string();
  REQUIRE(run("git init -q --bare " + q(repo)) == 0);
  REQUIRE(run("git --git-dir=" + q(repo) + " config daemon.receivepack true") == 0);
  Server daemon({"git", "daemon", "--reuseaddr", "--base-path=" + served.path().string(), "--export-all",
                 "--enable=receive-pack", "--listen=127.0.0.1", "--port=PORT", served.path().string()});
  const auto url = "git://127.0.0.1:" + std::to_string(daemon.port()) + "/net.git";

  CHECK_FALSE(fetch_branch(url, "dev", {}).commit());
  const auto r = commit_files(url, "dev", {{"demo/app.yaml", "replicas: 1\n"}}, "over git://");
  REQUIRE(r.commit);
  CHECK(r.created_branch);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev") == *r.commit);
  CHECK(output("git --git-dir=" + q(repo) + " log -1 --format=%s dev") == "over git://");
  CHECK(fetch_branch(url, "dev", {}).read("demo/app.yaml") == std::optional<std::string>("replicas: 1\n"));
  const auto second = commit_files(url, "dev", {{"demo/app.yaml", "replicas: 2\n"}}, "second");
  REQUIRE(second.commit);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev^") == *r.commit);
  CHECK(promote_branch(url, "dev", "prod", {}).kind == PromoteResult::Kind::created);
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse prod") == *second.commit);

  // A server that refuses the ref while the branch stays where it was: final.
  const auto hook = served.path() / "net.git" / "hooks" / "pre-receive";
  REQUIRE(run("printf '#!/bin/sh\\necho protected branch >&2\\nexit 1\\n' > " + q(hook.string()) + " && chmod +x " +
              q(hook.string())) == 0);
  REQUIRE_THROWS_MATCHES(commit_files(url, "dev", {{"demo/app.yaml", "replicas: 3\n"}}, "third"), RemoteError,
                         FailsWith(ExitCode::remote, {url, "dev", "refused"}));
  CHECK(output("git --git-dir=" + q(repo) + " rev-parse dev") == *second.commit);
}

TEST_CASE("https:// with a private CA and credentials from the environment or a file, each tried once", "[git]") {
  if (run("command -v python3 && command -v openssl && test -x \"$(git --exec-path)/git-http-backend\"") != 0) {
    WARN("skipped: needs python3, openssl and git-http-backend");
    return;
  }
  set_identity();
  TempDir dir("airlock-git-test");
  const auto p = [&](const char* name) { return (dir.path() / name).string(); };
  REQUIRE(run("cd " + q(dir.path().string()) +
              " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca"
              " && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost"
              " && printf 'subjectAltName=DNS:localhost\\n' > ext.cnf"
              " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2"
              " -extfile ext.cnf && mkdir served && git init -q --bare served/r.git") == 0);
  {
    std::FILE* f = std::fopen(p("server.py").c_str(), "w");
    REQUIRE(f);
    std::fputs(k_https_server, f);
    std::fclose(f);
  }
  const std::string password = "p@ss:w/rd";
  Server server({"python3", p("server.py"), p("served"), p("srv.pem"), p("srv.key"), p("auth.log"), "PORT",
                 "tester:" + password, "x-access-token:tok123"});
  const auto url = "https://localhost:" + std::to_string(server.port()) + "/r.git";
  const auto log_lines = [&] { return output("cat " + q(p("auth.log"))); };
  const auto clear_log = [&] { REQUIRE(run(": > " + q(p("auth.log"))) == 0); };
  ScopeGuard unset([] {
    for (const char* n : {"AIRLOCK_GIT_USERNAME", "AIRLOCK_GIT_PASSWORD", "AIRLOCK_GIT_TOKEN"}) ::unsetenv(n);
  });
  GitOptions options;
  options.ca_file = p("ca.pem");

  SECTION("without the CA the certificate is refused") {
    ::setenv("AIRLOCK_GIT_TOKEN", "tok123", 1);
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {url, "dev"}));
  }
  SECTION("no credentials: a remote error saying how to give them") {
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", options), RemoteError,
                           FailsWith(ExitCode::remote, {url, "AIRLOCK_GIT_TOKEN"}));
  }
  SECTION("a token from the environment") {
    ::setenv("AIRLOCK_GIT_TOKEN", "tok123", 1);
    const auto r = commit_files(url, "dev", {{"a.yaml", "a\n"}}, "with a token", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " log -1 --format=%s dev") == "with a token");
  }
  SECTION("user and password from the environment, then a wrong one is tried once") {
    ::setenv("AIRLOCK_GIT_USERNAME", "tester", 1);
    ::setenv("AIRLOCK_GIT_PASSWORD", password.c_str(), 1);
    const auto r = commit_files(url, "dev", {{"a.yaml", "a\n"}}, "over https", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " rev-parse dev") == *r.commit);
    CHECK(fetch_branch(url, "dev", options).read("a.yaml") == std::optional<std::string>("a\n"));

    ::setenv("AIRLOCK_GIT_PASSWORD", "wrong-secret", 1);
    clear_log();
    try {
      (void)fetch_branch(url, "dev", options);
      FAIL("a wrong password was accepted");
    } catch (const RemoteError& e) {
      CHECK_THAT(e.what(), Contains("refused") && Contains("AIRLOCK_GIT_USERNAME") && Contains(url));
      CHECK_THAT(e.what(), !Contains("wrong-secret"));
    }
    const auto tried = log_lines();
    CHECK(std::count(tried.begin(), tried.end(), '\n') <= 2);  // one request without, one with the credential

    // The CA location is process-global in libgit2, but ends with the operation.
    ::setenv("AIRLOCK_GIT_PASSWORD", password.c_str(), 1);
    REQUIRE_THROWS_MATCHES(fetch_branch(url, "dev", {}), RemoteError, FailsWith(ExitCode::remote, {"certificate"}));
  }
  SECTION("the longest matching line of a credentials file, percent-decoded") {
    const auto port = std::to_string(server.port());
    {
      std::FILE* f = std::fopen(p("credentials").c_str(), "w");
      REQUIRE(f);
      std::fputs(("https://tester:bad@other.example\n"
                  "https://tester:also-bad@localhost:" + port + "\n"
                  "https://tester:p%40ss%3Aw%2Frd@localhost:" + port + "/r.git\n"
                  "https://tester:wrong@localhost:" + port + "/other.git\n")
                     .c_str(),
                 f);
      std::fclose(f);
    }
    options.credentials_file = p("credentials");
    const auto r = commit_files(url, "dev", {{"b.yaml", "b\n"}}, "from a file", {}, options);
    REQUIRE(r.commit);
    CHECK(output("git --git-dir=" + q(p("served/r.git")) + " log -1 --format=%s dev") == "from a file");
  }
}
