// The uploader against a small in-memory registry on loopback: bytes in
// order, the last byte held until verified, backpressure, a blob already
// there, failures on either side, abandonment.
#include "importer/blob_uploader.hpp"

#include "../error_matcher.hpp"
#include "../loopback_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>

using namespace airlock;
using namespace std::chrono_literals;
using airlock::test::FailsWith;
using airlock::test::loopback_options;
using airlock::test::LoopbackServer;

namespace {

std::string bytes_of(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i * 13 % 241));
  return s;
}

std::span<const std::uint8_t> span_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Blob HEAD, POST and a monolithic PUT that checks ?digest=.
struct FakeRegistry {
  LoopbackServer s;
  std::map<std::string, std::string> blobs;  // "repo@digest" → bytes; guarded by s.mutex
  std::atomic<int> posts{0};
  std::atomic<int> post_status{202};
  std::chrono::milliseconds post_delay{0};

  FakeRegistry() {
    // httplib's server answers HEAD with the GET handler.
    s.server.Get("/v2/(.*)/blobs/(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(s.mutex);
      res.status = blobs.contains(req.matches[1].str() + "@" + req.matches[2].str()) ? 200 : 404;
    });
    s.server.Post("/v2/(.*)/blobs/uploads/", [this](const httplib::Request& req, httplib::Response& res) {
      ++posts;
      std::this_thread::sleep_for(post_delay);
      res.status = post_status;
      res.set_header("Location", "/upload/" + req.matches[1].str());
    });
    s.server.Put("/upload/(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto digest = req.get_param_value("digest");
      if (Sha256::of(req.body).str() != digest) {
        res.status = 400;
        res.set_content("DIGEST_INVALID", "text/plain");
        return;
      }
      std::lock_guard lock(s.mutex);
      blobs[req.matches[1].str() + "@" + digest] = req.body;
      res.status = 201;
    });
    s.start();
  }
  [[nodiscard]] std::size_t stored() {
    std::lock_guard lock(s.mutex);
    return blobs.size();
  }
  [[nodiscard]] std::string blob(const std::string& repo, const std::string& body) {
    std::lock_guard lock(s.mutex);
    const auto it = blobs.find(repo + "@" + Sha256::of(body).str());
    return it == blobs.end() ? std::string("(none)") : it->second;
  }
};

}  // namespace

TEST_CASE("blob uploader: blobs go up whole and in order; the last byte waits for verified()", "[blob_uploader]") {
  FakeRegistry reg;
  RegistryClient client(reg.s.host(), loopback_options({reg.s.host()}), AuthStore{});
  const std::string a = bytes_of(700000, 'a'), b = bytes_of(1, 'b'), c = bytes_of(300000, 'c');
  {
    BlobUploader up(client, 2, 64 * 1024);
    up.begin(Sha256::of(a), a.size(), "org/app");
    for (std::size_t pos = 0; pos < a.size(); pos += 50000)
      up.data(span_of(a).subspan(pos, std::min<std::size_t>(50000, a.size() - pos)));
    std::this_thread::sleep_for(300ms);
    CHECK(reg.stored() == 0);  // everything but the last byte is there, and nothing is committed
    up.verified();
    for (const auto* blob : {&b, &c}) {
      up.begin(Sha256::of(*blob), blob->size(), "org/app");
      up.data(span_of(*blob));
      up.verified();
    }
    up.finish();
    CHECK(up.stats().uploaded == 3);
    CHECK(up.stats().bytes_uploaded == a.size() + b.size() + c.size());
  }
  CHECK(reg.blob("org/app", a) == a);
  CHECK(reg.blob("org/app", b) == b);
  CHECK(reg.blob("org/app", c) == c);
}

TEST_CASE("blob uploader: a full buffer blocks the reader until the upload drains it", "[blob_uploader]") {
  FakeRegistry reg;
  reg.post_delay = 300ms;  // the upload starts late: the reader must wait
  RegistryClient client(reg.s.host(), loopback_options({reg.s.host()}), AuthStore{});
  const std::string a = bytes_of(1 << 20, 'x');
  BlobUploader up(client, 1, 64 * 1024);
  up.begin(Sha256::of(a), a.size(), "org/app");
  const auto start = std::chrono::steady_clock::now();
  up.data(span_of(a));
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  up.verified();
  up.finish();
  CHECK(reg.blob("org/app", a) == a);
}

TEST_CASE("blob uploader: a blob the registry has is skipped without blocking the reader", "[blob_uploader]") {
  FakeRegistry reg;
  const std::string a = bytes_of(2 << 20, 'k');
  {
    std::lock_guard lock(reg.s.mutex);
    reg.blobs["org/app@" + Sha256::of(a).str()] = a;
  }
  RegistryClient client(reg.s.host(), loopback_options({reg.s.host()}), AuthStore{});
  BlobUploader up(client, 1, 16 * 1024);
  up.begin(Sha256::of(a), a.size(), "org/app");
  for (std::size_t pos = 0; pos < a.size(); pos += 100000)
    up.data(span_of(a).subspan(pos, std::min<std::size_t>(100000, a.size() - pos)));
  up.verified();
  up.finish();
  CHECK(up.stats().skipped == 1);
  CHECK(up.stats().uploaded == 0);
  CHECK(reg.posts == 0);
}

TEST_CASE("blob uploader: the registry's failure reaches the reader", "[blob_uploader]") {
  FakeRegistry reg;
  reg.post_status = 500;
  RegistryClient client(reg.s.host(), loopback_options({reg.s.host()}), AuthStore{});
  const std::string a = bytes_of(1 << 20, 'e');
  BlobUploader up(client, 1, 32 * 1024);
  const auto run = [&] {
    up.begin(Sha256::of(a), a.size(), "org/app");
    up.data(span_of(a));  // blocks until the upload fails, then throws its error
    up.verified();
    up.finish();
  };
  REQUIRE_THROWS_MATCHES(run(), RemoteError,
                         FailsWith(ExitCode::remote, {"registry " + reg.s.host(),
                                                      "blob upload org/app@" + Sha256::of(a).str(), "HTTP 500"}));
  CHECK(reg.stored() == 0);
}

TEST_CASE("blob uploader: abandoned by the reader, nothing is committed and nothing hangs", "[blob_uploader]") {
  FakeRegistry reg;
  RegistryClient client(reg.s.host(), loopback_options({reg.s.host()}), AuthStore{});
  const std::string a = bytes_of(1 << 20, 'q');
  const auto start = std::chrono::steady_clock::now();
  {
    BlobUploader up(client, 2, 64 * 1024);
    up.begin(Sha256::of(a), a.size(), "org/app");
    up.data(span_of(a).first(500000));
    std::this_thread::sleep_for(100ms);
    // The verification failed: the uploader goes out of scope unfinished.
  }
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  std::this_thread::sleep_for(100ms);
  CHECK(reg.stored() == 0);

  SECTION("even after the whole blob was handed over but not verified") {
    BlobUploader up(client, 1, 64 * 1024);
    up.begin(Sha256::of(a), a.size(), "org/app");
    up.data(span_of(a));
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(100ms);
  CHECK(reg.stored() == 0);
}
