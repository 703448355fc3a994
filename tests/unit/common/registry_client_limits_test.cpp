// The registry client against a hostile registry on loopback: every read is
// capped, a stall ends within the stall timeout, credentials stay on the
// registry's origin, an upload cut off mid-body is an error that counts the
// bytes. (tests/integration/test_hostile_registry.sh runs the programs
// against the same cases, with their memory measured.)
#include "common/registry_client.hpp"

#include "../error_matcher.hpp"
#include "../loopback_server.hpp"
#include "common/base64.hpp"
#include "common/scope_guard.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

using namespace airlock;
using namespace std::chrono_literals;
using airlock::test::auth_for;
using airlock::test::basic_challenged;
using airlock::test::FailsWith;
using airlock::test::loopback_options;
using airlock::test::LoopbackServer;

namespace {

// A raw TCP server for what httplib's server cannot do: it answers HEAD with
// 404 and POST with 202, and reads at most `keep` bytes of a PUT or PATCH
// body before it closes the connection.
class CuttingServer {
public:
  explicit CuttingServer(std::size_t keep) : m_keep(keep) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    m_port = ntohs(a.sin_port);
    REQUIRE(::listen(m_fd, 8) == 0);
    m_thread = std::thread([this] { serve(); });
  }
  ~CuttingServer() {
    m_stop = true;
    ::shutdown(m_fd, SHUT_RDWR);
    m_thread.join();
    ::close(m_fd);
  }
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }

private:
  void serve() {
    while (!m_stop) {
      const int c = ::accept(m_fd, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      for (;;) {  // requests on one keep-alive connection
        std::size_t end;
        while ((end = in.find("\r\n\r\n")) == std::string::npos) {
          const ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          in.append(buf, static_cast<std::size_t>(n));
        }
        if (end == std::string::npos) break;
        const std::string head = in.substr(0, end);
        in.erase(0, end + 4);
        if (head.starts_with("HEAD")) {
          send_all(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        } else if (head.starts_with("POST")) {
          send_all(c, "HTTP/1.1 202 Accepted\r\nLocation: /upload/1\r\nContent-Length: 0\r\n\r\n");
        } else {
          std::size_t got = in.size();
          while (got < m_keep) {
            const ssize_t n = ::recv(c, buf, std::min(sizeof buf, m_keep - got), 0);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
          }
          break;  // closes mid-body
        }
      }
      ::close(c);
    }
  }
  static void send_all(int c, const std::string& s) { (void)::send(c, s.data(), s.size(), MSG_NOSIGNAL); }

  std::size_t m_keep;
  int m_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

const std::string k_manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";

void serve_manifest_with(LoopbackServer& s, std::function<void(httplib::Response&)> hostile) {
  s.server.Get("/v2/org/app/manifests/1.0",
               [hostile](const httplib::Request&, httplib::Response& res) { hostile(res); });
  s.start();
}

}  // namespace

TEST_CASE("registry limits: response headers are capped in bytes and in number", "[registry_limits]") {
  LoopbackServer s;
  bool one_huge = true;
  serve_manifest_with(s, [&](httplib::Response& res) {
    if (one_huge) {
      res.set_header("X-Pad", std::string(4 << 20, 'h'));  // one 4 MiB line
    } else {
      for (int i = 0; i < 5000; ++i) res.set_header("X-Pad-" + std::to_string(i), "x");
    }
    res.set_content(k_manifest, "application/json");
  });
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "manifest org/app:1.0",
                                                      "the response headers exceed 262144 bytes"}));
  one_huge = false;
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "more than 256 headers"}));
}

TEST_CASE("registry limits: a manifest past k_max_manifest_bytes is refused", "[registry_limits]") {
  // Declared before the server: the chunked provider may still run until the server stops.
  bool declared = true;
  const std::string huge = "{\"pad\":\"" + std::string(k_max_manifest_bytes, ' ') + "\"}";
  LoopbackServer s;
  serve_manifest_with(s, [&](httplib::Response& res) {
    if (declared) {
      res.set_content(huge, "application/json");
      return;
    }
    // No Content-Length: read until the cap.
    res.set_chunked_content_provider("application/json", [&](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= huge.size()) {
        sink.done();
        return true;
      }
      sink.write(huge.data() + offset, std::min<std::size_t>(65536, huge.size() - offset));
      return true;
    });
  });
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  for (const bool d : {true, false}) {
    declared = d;
    REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), RemoteError,
                           FailsWith(ExitCode::remote, {"registry " + s.host(), "manifest org/app:1.0",
                                                        "larger than 4194304 bytes (k_max_manifest_bytes)"}));
  }
}

TEST_CASE("registry limits: a token answer past k_max_token_response_bytes is refused", "[registry_limits]") {
  LoopbackServer s;
  s.server.Get("/token", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"token\":\"" + std::string(8 << 20, 't') + "\"}", "application/json");
  });
  s.server.Get("/v2/org/app/manifests/1.0", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"" + s.origin() + "/token\",service=\"svc\"");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "token service " + s.origin() + "/token",
                                                      "k_max_token_response_bytes"}));
}

TEST_CASE("registry limits: a body that trickles or stops ends within the stall timeout", "[registry_limits]") {
  // Declared before the server: a handler may still be in its loop until the server stops.
  std::atomic<bool> stop{false};
  const std::string blob(100000, 'b');
  const Digest d = Sha256::of(blob);
  LoopbackServer s;
  s.server.Get("/v2/org/app/blobs/" + d.str(), [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(blob.size(), "application/octet-stream",
                             [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset < 5000) {
                                 sink.write(blob.data() + offset, 5000);
                                 return true;
                               }
                               // Then one byte every 200 ms: every read succeeds, the transfer never ends.
                               for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(20ms);
                               sink.write(blob.data() + offset, 1);
                               return !stop;
                             });
  });
  s.server.Get("/v2/org/app/manifests/1.0", [&](const httplib::Request&, httplib::Response& res) {
    while (!stop) std::this_thread::sleep_for(20ms);  // no answer at all
    res.status = 500;
  });
  s.start();
  const ScopeGuard release([&] { stop = true; });  // the handlers end before the server stops
  auto options = loopback_options({s.host()});
  options.stall_timeout = 1s;
  RegistryClient c(s.host(), options, AuthStore{});
  const auto start = std::chrono::steady_clock::now();
  std::size_t got = 0;
  REQUIRE_THROWS_MATCHES(c.get_blob("org/app", d, blob.size(), [&](auto chunk) { got += chunk.size(); }), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "blob org/app@" + d.str(),
                                                      "stalled: fewer than 1024 bytes moved in 1 s"}));
  CHECK(got >= 5000);
  CHECK(std::chrono::steady_clock::now() - start < 3s);  // one window, not one per attempt

  const auto again = std::chrono::steady_clock::now();
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "manifest org/app:1.0", "stalled"}));
  CHECK(std::chrono::steady_clock::now() - again < 3s);
}

TEST_CASE("registry limits: blob sizes", "[registry_limits]") {
  // Declared before the server: its endless provider may still be writing
  // when the test ends, until the server stops.
  const std::string blob(3000, 'e');
  const Digest d = Sha256::of(blob);
  std::atomic<std::uint64_t> sent{0};
  LoopbackServer s;
  s.server.Get("/v2/org/app/blobs/" + d.str(), [&](const httplib::Request&, httplib::Response& res) {
    // Endless, past the descriptor's size.
    res.set_chunked_content_provider("application/octet-stream", [&](std::size_t, httplib::DataSink& sink) {
      sent += blob.size();
      return sink.write(blob.data(), blob.size()) && sent < (1u << 30);
    });
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  std::uint64_t got = 0;
  REQUIRE_THROWS_MATCHES(c.get_blob("org/app", d, 10000, [&](auto chunk) { got += chunk.size(); }), VerificationError,
                         FailsWith(ExitCode::verification, {"registry " + s.host(), "blob org/app@" + d.str(),
                                                            "served more than the 10000 bytes"}));
  CHECK(got <= 10000);
  CHECK(sent < (64u << 20));

  REQUIRE_THROWS_MATCHES(c.get_blob("org/app", d, std::uint64_t{1} << 62, [](auto) {}), RemoteError,
                         FailsWith(ExitCode::remote,
                                   {"registry " + s.host(), "4611686018427387904 bytes", "k_max_blob_bytes"}));
}

TEST_CASE("registry limits: blob storage's 401 challenge gets no credentials", "[registry_limits]") {
  LoopbackServer storage;
  storage.server.Get("/blob", [&](const httplib::Request& req, httplib::Response& res) {
    storage.log("blob authorization=" + req.get_header_value("Authorization"));
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"" + storage.origin() + "/token\",service=\"storage\"");
  });
  storage.server.Get("/token", [&](const httplib::Request& req, httplib::Response& res) {
    storage.log("token authorization=" + req.get_header_value("Authorization"));
    res.set_content(R"({"token":"stolen"})", "application/json");
  });
  storage.start();
  LoopbackServer s;
  const std::string blob(5000, 's');
  const Digest d = Sha256::of(blob);
  const std::string expected = "Basic " + base64_encode("u:p");
  s.server.Get("/v2/org/app/blobs/" + d.str(), [&](const httplib::Request& req, httplib::Response& res) {
    if (basic_challenged(req, res, expected)) return;
    res.status = 307;
    res.set_header("Location", storage.origin() + "/blob");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host(), storage.host()}), auth_for(s.host(), "u", "p"));
  REQUIRE_THROWS_MATCHES(c.get_blob("org/app", d, blob.size(), [](auto) {}), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), storage.origin() + " (not the registry)",
                                                      "none were sent"}));
  CHECK(storage.logged() == std::vector<std::string>{"blob authorization="});
}

TEST_CASE("registry limits: a registry that closes mid-upload is named with the bytes that went", "[registry_limits]") {
  CuttingServer s(64 * 1024);
  const std::string blob(4 << 20, 'u');
  const Digest d = Sha256::of(blob);
  for (const std::uint64_t chunk : {std::uint64_t{0}, std::uint64_t{1} << 20}) {
    auto options = loopback_options({s.host()});
    options.upload_chunk = chunk;
    RegistryClient c(s.host(), options, AuthStore{});
    std::size_t pos = 0;
    UploadSource source{blob.size(), [&](std::uint8_t* buf, std::size_t cap) {
                          const std::size_t n = std::min(cap, blob.size() - pos);
                          std::memcpy(buf, blob.data() + pos, n);
                          pos += n;
                          return n;
                        }};
    // "while writing", or "while reading" when the socket buffers took the
    // whole (1 MiB) chunk before the close was seen.
    const std::string part = chunk ? "chunk at byte 0: " : "";
    REQUIRE_THROWS_MATCHES(c.put_blob("org/app", d, source), RemoteError,
                           FailsWith(ExitCode::remote, {"registry " + s.host(), "blob upload org/app@" + d.str(),
                                                        part + "the connection dropped while ",
                                                        chunk ? " of 1048576 bytes" : " of 4194304 bytes"}));
  }
}
