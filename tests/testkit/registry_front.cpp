// A TLS front for a real registry that injects the failures real registries
// and networks produce, so the client's handling of them is tested:
//   --fail-first N        the first N API requests answer 503 (odd) or 429 (even, Retry-After: 1)
//   --drop-after BYTES    each blob's first GET closes the connection after BYTES bytes
//   --redirect-blobs      blob GETs answer 307 to another origin (https://localhost:PORT/storage/...),
//                         as S3-backed registries do; the storage side logs whether credentials came along
//   --fail-random PCT     that percentage of API requests (any method) answer 503, chosen by a PRNG
//                         seeded with --seed (default 1), as a flaky registry or proxy does
// Everything else is passed through to --upstream (uploads too: the client's Host goes along, so the
// registry's Locations point back here). Logs one line per event on stdout.

#include "common/error.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace airlock::testkit {

int registry_front(const std::vector<std::string>& args) {
  std::map<std::string, std::string> opt{{"--fail-first", "0"},
                                         {"--drop-after", "0"},
                                         {"--fail-random", "0"},
                                         {"--seed", "1"}};
  std::set<std::string> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--redirect-blobs") {
      flags.insert(args[i]);
    } else if (i + 1 < args.size()) {
      opt[args[i]] = args[i + 1];
      ++i;
    }
  }
  for (const char* k : {"--port", "--cert", "--key", "--ca", "--upstream", "--user", "--pass"})
    if (!opt.contains(k)) throw UsageError(fmt::format("registry-front needs {}", k));
  const int port = std::stoi(opt["--port"]);
  std::atomic<int> fail_left = std::stoi(opt["--fail-first"]);
  const std::size_t drop_after = std::stoul(opt["--drop-after"]);
  const int fail_percent = std::stoi(opt["--fail-random"]);
  std::mt19937 random(static_cast<std::mt19937::result_type>(std::stoul(opt["--seed"])));
  std::mutex mutex;
  const auto random_failure = [&] {
    std::lock_guard lock(mutex);
    return fail_percent > 0 && static_cast<int>(random() % 100) < fail_percent;
  };
  std::set<std::string> dropped;
  const auto log = [&](const std::string& line) {
    std::lock_guard lock(mutex);
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };

  const auto forward = [&](const httplib::Request& req, httplib::Response& res, const std::string& path,
                           bool with_client_auth) {
    httplib::Client up(opt["--upstream"]);
    up.set_ca_cert_path(opt["--ca"]);
    up.enable_server_certificate_verification(true);
    up.set_follow_location(false);
    httplib::Headers h;
    // Range is not forwarded: httplib's server applies the client's Range
    // to the full body itself.
    if (req.has_header("Accept")) h.emplace("Accept", req.get_header_value("Accept"));
    if (with_client_auth && req.has_header("Authorization"))
      h.emplace("Authorization", req.get_header_value("Authorization"));
    if (!with_client_auth) up.set_basic_auth(opt["--user"], opt["--pass"]);
    httplib::Result r{nullptr, httplib::Error::Unknown};
    if (req.method == "HEAD" || req.method == "GET") {
      r = req.method == "HEAD" ? up.Head(path, h) : up.Get(path, h);
    } else {
      // Uploads and manifest pushes: the body as it came, the client's Host
      // (so the registry's Locations lead back here) and query.
      h.emplace("Host", req.get_header_value("Host"));
      for (const char* k : {"Content-Range"})
        if (req.has_header(k)) h.emplace(k, req.get_header_value(k));
      // The request target as it came: httplib's parsed params lose a
      // value's trailing '=' (base64 padding in the registry's _state).
      const std::string target = req.target.empty() ? path : req.target;
      const std::string type = req.get_header_value("Content-Type");
      if (req.method == "POST")
        r = up.Post(target, h, req.body, type);
      else if (req.method == "PUT")
        r = up.Put(target, h, req.body, type);
      else if (req.method == "PATCH")
        r = up.Patch(target, h, req.body, type);
      else if (req.method == "DELETE")
        r = up.Delete(target, h);
    }
    if (!r) {
      res.status = 502;
      return std::string();
    }
    // Left unset for 200, so httplib answers a Range request with 206.
    if (r->status != 200) res.status = r->status;
    for (const char* k : {"Content-Type", "Docker-Content-Digest", "WWW-Authenticate", "Content-Range",
                          "Docker-Distribution-Api-Version", "Location", "Range", "Docker-Upload-UUID"})
      if (r->has_header(k)) res.set_header(k, r->get_header_value(k));
    return r->body;
  };

  httplib::SSLServer server(opt["--cert"].c_str(), opt["--key"].c_str());
  server.Get("/storage/(.*)", [&](const httplib::Request& req, httplib::Response& res) {
    log(fmt::format("storage {} authorization={}", req.path, req.has_header("Authorization") ? "present" : "absent"));
    // The storage side is another origin: it fetches with its own access.
    const std::string body = forward(req, res, "/v2/" + req.matches[1].str(), false);
    res.set_content(body, res.get_header_value("Content-Type").empty() ? "application/octet-stream"
                                                                       : res.get_header_value("Content-Type"));
  });
  const auto pass_through = [&](const httplib::Request& req, httplib::Response& res) {
    if (random_failure()) {
      res.status = 503;
      log(fmt::format("injected random 503 {} {}", req.method, req.path));
      return;
    }
    const std::string body = forward(req, res, req.path, true);
    log(fmt::format("{} {} {}", req.method, req.path, res.status == -1 ? 200 : res.status));
    if (!body.empty()) res.set_content(body, res.get_header_value("Content-Type"));
  };
  server.Post("/v2/(.*)", pass_through);
  server.Put("/v2/(.*)", pass_through);
  server.Patch("/v2/(.*)", pass_through);
  server.Delete("/v2/(.*)", pass_through);
  server.Get("/v2/(.*)", [&](const httplib::Request& req, httplib::Response& res) {
    const bool is_blob = req.path.find("/blobs/") != std::string::npos;
    const bool authed = req.has_header("Authorization");
    if (req.path != "/v2/" && random_failure()) {
      res.status = 503;
      log(fmt::format("injected random 503 {} {}", req.method, req.path));
      return;
    }
    if (authed && fail_left > 0) {
      const int n = fail_left--;
      res.status = n % 2 == 1 ? 503 : 429;
      if (res.status == 429) res.set_header("Retry-After", "1");
      log(fmt::format("injected {} {}", res.status, req.path));
      return;
    }
    if (authed && is_blob && flags.contains("--redirect-blobs")) {
      res.status = 307;
      res.set_header("Location", fmt::format("https://localhost:{}/storage/{}", port, req.path.substr(4)));
      log(fmt::format("redirected {}", req.path));
      return;
    }
    const std::string body = forward(req, res, req.path, true);
    log(fmt::format("{} {} {}{}", req.method, req.path, res.status == -1 ? 200 : res.status,
                    req.has_header("Range") ? " range=" + req.get_header_value("Range") : ""));
    const std::string type = res.get_header_value("Content-Type").empty() ? "application/octet-stream"
                                                                          : res.get_header_value("Content-Type");
    bool drop = false;
    if (is_blob && drop_after > 0 && body.size() > drop_after && res.status == -1 && !req.has_header("Range")) {
      std::lock_guard lock(mutex);
      drop = dropped.insert(req.path).second;
    }
    if (!drop) {
      res.set_content(body, type);
      return;
    }
    log(fmt::format("dropping {} after {} bytes", req.path, drop_after));
    res.set_content_provider(body.size(), type,
                             [body, drop_after](size_t offset, size_t length, httplib::DataSink& sink) {
                               if (offset >= drop_after) return false;  // closes the connection mid-body
                               sink.write(body.data() + offset, std::min(length, drop_after - offset));
                               return true;
                             });
  });
  if (!server.listen("127.0.0.1", port)) throw Error("registry-front: cannot listen");
  return 0;
}

}  // namespace airlock::testkit
