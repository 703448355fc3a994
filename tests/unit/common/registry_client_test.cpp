// The registry client against a cpp-httplib server on loopback that plays
// the registry (and its token service, and blob storage on another origin):
// auth challenges, retries, resumes, redirects, uploads.
#include "common/registry_client.hpp"

#include "../error_matcher.hpp"
#include "../loopback_server.hpp"
#include "common/base64.hpp"
#include "common/retry_policy.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>

using namespace airlock;
using airlock::test::auth_for;
using airlock::test::basic_challenged;
using airlock::test::FailsWith;
using airlock::test::loopback_options;
using airlock::test::LoopbackServer;

namespace {

std::string bytes_of(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i * 7 % 251));
  return s;
}

std::string fetch(RegistryClient& c, const std::string& repo, const std::string& body) {
  std::string got;
  c.get_blob(repo, Sha256::of(body), body.size(),
             [&](std::span<const std::uint8_t> d) { got.append(reinterpret_cast<const char*>(d.data()), d.size()); });
  return got;
}

UploadSource source_of(const std::string& body, std::size_t& pos, std::size_t* reads = nullptr) {
  return UploadSource{body.size(), [&body, &pos, reads](std::uint8_t* buf, std::size_t cap) {
                        if (reads) ++*reads;
                        const std::size_t n = std::min(cap, body.size() - pos);
                        std::memcpy(buf, body.data() + pos, n);
                        pos += n;
                        return n;
                      }};
}

const std::string k_manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";

}  // namespace

TEST_CASE("registry client: basic credentials after a 401 challenge", "[registry_client]") {
  LoopbackServer s;
  const std::string expected = "Basic " + base64_encode("u:p");
  s.server.Get("/v2/org/app/manifests/1.0", [&](const httplib::Request& req, httplib::Response& res) {
    s.log(req.get_header_value("Authorization"));
    if (basic_challenged(req, res, expected)) return;
    res.set_content(k_manifest, "application/vnd.oci.image.manifest.v1+json");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  const auto m = c.get_manifest("org/app", "1.0");
  CHECK(m.bytes == k_manifest);
  CHECK(m.media_type == "application/vnd.oci.image.manifest.v1+json");
  CHECK(m.digest == Sha256::of(k_manifest));
  CHECK(s.logged() == std::vector<std::string>{"", expected});

  SECTION("without credentials: RemoteError naming the registry and the auth file") {
    RegistryClient anon(s.host(), loopback_options({s.host()}), AuthStore{});
    REQUIRE_THROWS_MATCHES(anon.get_manifest("org/app", "1.0"), RemoteError,
                           FailsWith(ExitCode::remote,
                                     {"registry " + s.host(), "manifest org/app:1.0", "requires credentials"}));
  }
}

TEST_CASE("registry client: a bearer token for the challenged scopes, retried under the policy", "[registry_client]") {
  LoopbackServer s;
  std::atomic<int> token_failures{2};
  s.server.Get("/token", [&](const httplib::Request& req, httplib::Response& res) {
    if (token_failures-- > 0) {
      s.log("token 503");
      res.status = 503;
      return;
    }
    std::string scopes;
    for (auto [it, end] = req.params.equal_range("scope"); it != end; ++it) scopes += "[" + it->second + "]";
    s.log("token auth=" + req.get_header_value("Authorization") + " service=" + req.get_param_value("service") +
          " scopes=" + scopes);
    res.set_content(R"({"token":"tok-1"})", "application/json");
  });
  s.server.Post("/v2/org/app/blobs/uploads/", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer tok-1") {
      res.status = 401;
      res.set_header("WWW-Authenticate",
                     "Bearer realm=\"" + s.origin() +
                         "/token\",service=\"svc\",scope=\"repository:org/app:pull,push repository:org/base:pull\"");
      return;
    }
    s.log("mount with " + req.get_header_value("Authorization"));
    res.status = 201;
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  CHECK(c.mount_blob("org/app", Sha256::of("x"), "org/base"));
  const auto log = s.logged();
  REQUIRE(log.size() == 4);
  CHECK(log[0] == "token 503");
  CHECK(log[1] == "token 503");
  CHECK(log[2] == "token auth=Basic " + base64_encode("u:p") +
                      " service=svc scopes=[repository:org/app:pull,push][repository:org/base:pull]");
  CHECK(log[3] == "mount with Bearer tok-1");

  SECTION("a token service that keeps failing: RemoteError after the policy's attempts") {
    token_failures = 100;
    RegistryClient again(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
    REQUIRE_THROWS_MATCHES(again.mount_blob("org/app", Sha256::of("x"), "org/base"), RemoteError,
                           FailsWith(ExitCode::remote, {"registry " + s.host(), "token service answered HTTP 503"}));
  }
}

TEST_CASE("registry client: 503 and 429 are retried, Retry-After honoured and capped", "[registry_client]") {
  LoopbackServer s;
  std::atomic<int> calls{0};
  std::string retry_after;
  s.server.Get("/v2/org/app/manifests/1.0", [&](const httplib::Request&, httplib::Response& res) {
    const int n = ++calls;
    if (n == 1) {
      res.status = 503;
      return;
    }
    if (n == 2) {
      res.status = 429;
      res.set_header("Retry-After", retry_after);
      return;
    }
    res.set_content(k_manifest, "application/vnd.oci.image.manifest.v1+json");
  });
  s.server.Get("/v2/org/down/manifests/1.0", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("maintenance", "text/plain");
  });
  s.start();
  auto options = loopback_options({s.host()});
  options.max_retry_after = std::chrono::milliseconds(300);
  RegistryClient c(s.host(), options, AuthStore{});
  for (const std::string value : {"100000000000000000000", "1", "soon", "-5", ""}) {
    calls = 0;
    retry_after = value;
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.get_manifest("org/app", "1.0").bytes == k_manifest);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(calls == 3);
    // Digits wait the capped 300 ms; anything else is ignored (the 20 ms backoff).
    if (value == "100000000000000000000" || value == "1")
      CHECK(took >= std::chrono::milliseconds(300));
    else
      CHECK(took < std::chrono::milliseconds(300));
    CHECK(took < std::chrono::seconds(2));
  }

  // A registry that keeps failing: RemoteError after the attempts.
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/down", "1.0"), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + s.host(), "manifest org/down:1.0",
                                                      "failed after 4 attempts: HTTP 503: maintenance"}));
}

TEST_CASE("retry policy: Retry-After parsing never throws and saturates", "[registry_client]") {
  using std::chrono::milliseconds;
  const milliseconds cap(30000);
  CHECK(parse_retry_after("5", cap) == milliseconds(5000));
  CHECK(parse_retry_after(" 7 ", cap) == milliseconds(7000));
  CHECK(parse_retry_after("100000000000000000000", cap) == cap);
  CHECK(parse_retry_after("99999999999999999999999999999999999999999", cap) == cap);
  CHECK_FALSE(parse_retry_after("", cap));
  CHECK_FALSE(parse_retry_after("-1", cap));
  CHECK_FALSE(parse_retry_after("1.5", cap));
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", cap));
}

TEST_CASE("registry client: a dropped blob body is resumed with Range", "[registry_client]") {
  LoopbackServer s;
  const std::string blob = bytes_of(300000, 'a');
  const std::string path = "/v2/org/app/blobs/" + Sha256::of(blob).str();
  std::atomic<bool> dropped{false};
  bool honour_range = true;
  s.server.Get(path, [&](const httplib::Request& req, httplib::Response& res) {
    s.log("range=" + req.get_header_value("Range"));
    if (!dropped.exchange(true)) {
      res.set_content_provider(blob.size(), "application/octet-stream",
                               [&](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 if (offset >= 100000) return false;  // closes the connection mid-body
                                 sink.write(blob.data() + offset, std::min<std::size_t>(length, 100000 - offset));
                                 return true;
                               });
      return;
    }
    // httplib's server applies a request's Range to any body; a registry
    // that ignores Range is played by dropping the parsed ranges (the
    // server's own Request object, passed to handlers as const).
    if (!honour_range) const_cast<httplib::Request&>(req).ranges.clear();
    res.set_content(blob, "application/octet-stream");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});

  SECTION("a server that honours Range") {
    CHECK(fetch(c, "org/app", blob) == blob);
    CHECK(s.logged() == std::vector<std::string>{"range=", "range=bytes=100000-"});
  }
  SECTION("a server that ignores Range: the bytes already had are skipped") {
    honour_range = false;
    CHECK(fetch(c, "org/app", blob) == blob);
    CHECK(s.logged() == std::vector<std::string>{"range=", "range=bytes=100000-"});
  }
}

TEST_CASE("registry client: a redirect to another origin gets no Authorization", "[registry_client]") {
  LoopbackServer storage;
  const std::string blob = bytes_of(5000, 'z');
  storage.server.Get("/storage/blob", [&](const httplib::Request& req, httplib::Response& res) {
    storage.log("authorization=" + req.get_header_value("Authorization"));
    res.set_content(blob, "application/octet-stream");
  });
  storage.start();
  LoopbackServer s;
  const std::string expected = "Basic " + base64_encode("u:p");
  s.server.Get("/v2/org/app/blobs/" + Sha256::of(blob).str(), [&](const httplib::Request& req, httplib::Response& res) {
    s.log("authorization=" + req.get_header_value("Authorization"));
    if (basic_challenged(req, res, expected)) return;
    res.status = 307;
    res.set_header("Location", storage.origin() + "/storage/blob");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  CHECK(fetch(c, "org/app", blob) == blob);
  CHECK(s.logged() == std::vector<std::string>{"authorization=", "authorization=" + expected});
  CHECK(storage.logged() == std::vector<std::string>{"authorization="});
}

TEST_CASE("registry client: content that does not match its digest is a VerificationError", "[registry_client]") {
  LoopbackServer s;
  const std::string other = R"({"schemaVersion":2,"tampered":true})";
  const std::string wanted = Sha256::of(k_manifest).str();
  s.server.Get("/v2/org/app/manifests/" + wanted, [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(other, "application/vnd.oci.image.manifest.v1+json");
  });
  s.server.Get("/v2/org/app/manifests/1.0", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Docker-Content-Digest", wanted);
    res.set_content(other, "application/vnd.oci.image.manifest.v1+json");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", wanted), VerificationError,
                         FailsWith(ExitCode::verification,
                                   {"registry " + s.host(), "manifest org/app@" + wanted, Sha256::of(other).str()}));
  REQUIRE_THROWS_MATCHES(c.get_manifest("org/app", "1.0"), VerificationError,
                         FailsWith(ExitCode::verification, {"announced digest " + wanted}));
}

TEST_CASE("registry client: a chunked upload goes up in PATCH requests", "[registry_client]") {
  LoopbackServer s;
  const std::string blob = bytes_of(250000, 'c');
  const Digest digest = Sha256::of(blob);
  std::string received;
  std::string committed;
  s.server.Post("/v2/org/app/blobs/uploads/", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 202;
    res.set_header("Location", "/upload/u1?state=0");
  });
  s.server.Patch("/upload/u1", [&](const httplib::Request& req, httplib::Response& res) {
    s.log("PATCH " + req.get_param_value("state") + " " + req.get_header_value("Content-Range"));
    received += req.body;
    res.status = 202;
    res.set_header("Location", s.origin() + "/upload/u1?state=" + std::to_string(received.size()));
  });
  s.server.Put("/upload/u1", [&](const httplib::Request& req, httplib::Response& res) {
    s.log("PUT " + req.get_param_value("digest") + " body=" + std::to_string(req.body.size()));
    committed = req.get_param_value("digest");
    res.status = 201;
  });
  s.start();
  auto options = loopback_options({s.host()});
  options.upload_chunk = 100000;
  RegistryClient c(s.host(), options, AuthStore{});
  std::size_t pos = 0;
  auto source = source_of(blob, pos);
  c.put_blob("org/app", digest, source);
  CHECK(received == blob);
  CHECK(committed == digest.str());
  CHECK(s.logged() == std::vector<std::string>{"PATCH 0 0-99999", "PATCH 100000 100000-199999",
                                               "PATCH 200000 200000-249999", "PUT " + digest.str() + " body=0"});
}

TEST_CASE("registry client: a streamed PUT is not retried once its body started", "[registry_client]") {
  LoopbackServer s;
  const std::string blob = bytes_of(400000, 'p');
  const Digest digest = Sha256::of(blob);
  std::atomic<int> puts{0};
  s.server.Post("/v2/org/app/blobs/uploads/", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 202;
    res.set_header("Location", "/upload/u2");
  });
  s.server.Put("/upload/u2", [&](const httplib::Request&, httplib::Response& res) {
    ++puts;
    res.status = 503;
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  std::size_t pos = 0;
  auto source = source_of(blob, pos);
  REQUIRE_THROWS_MATCHES(c.put_blob("org/app", digest, source), RemoteError,
                         FailsWith(ExitCode::remote,
                                   {"registry " + s.host(), "blob upload org/app@" + digest.str(), "HTTP 503"}));
  CHECK(puts == 1);
  CHECK(pos == blob.size());
}

TEST_CASE("registry client: a monolithic upload carries ?digest= and the whole body", "[registry_client]") {
  LoopbackServer s;
  const std::string blob = bytes_of(300000, 'm');
  const Digest digest = Sha256::of(blob);
  std::string got;
  s.server.Post("/v2/org/app/blobs/uploads/", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 202;
    res.set_header("Location", "/upload/u3?_state=abc");
  });
  s.server.Put("/upload/u3", [&](const httplib::Request& req, httplib::Response& res) {
    s.log(req.get_param_value("_state") + " " + req.get_param_value("digest"));
    got = req.body;
    res.status = 201;
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), AuthStore{});
  std::size_t pos = 0;
  auto source = source_of(blob, pos);
  c.put_blob("org/app", digest, source);
  CHECK(got == blob);
  CHECK(s.logged() == std::vector<std::string>{"abc " + digest.str()});
}
