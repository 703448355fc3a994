// A plain-HTTP registry on loopback that serves one small image, org/app:1.0
// (an OCI manifest, a config, one layer), and misbehaves as --mode says, so
// that the programs' limits are tested against the attacks they exist for:
//   ok                  behaves (the harness's own check)
//   token-huge          bearer auth whose token service answers 50 MB of JSON
//   token-endless       ... whose token service answers without end
//   manifest-huge       the manifest is 100 MB (Content-Length says so)
//   manifest-endless    the manifest never ends (chunked)
//   index-children      the tag is an index of 5000 children
//   index-large-children  an index of 200 children of 4 MiB each
//   config-huge         the config's descriptor says 100 MB
//   config-endless      the config (declared 2 KB) never ends
//   blob-endless        the layer (declared 300 KB) never ends
//   blob-size-2e62      the layer's descriptor says 2^62 bytes
//   retry-after-huge    the first manifest GET answers 429, Retry-After: 10^20
//   retry-after-garbage ... Retry-After: soon, then -1
//   stall-headers       the manifest GET is never answered
//   stall-body          the layer stops after 100 KB, then trickles a byte a second
//   storage-401         basic auth (--user/--pass); the layer redirects to storage on
//                       --storage-port, which answers 401 with a Bearer challenge whose
//                       realm is its own /token; storage logs what reaches it
//   storage-401-basic   ... storage's challenge is Basic
// (Header bombs: tests/testkit/raw_registry.cpp; httplib builds headers too
// slowly to send 100 MB of them.) Logs one line per request on stdout.

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/media_types.hpp"
#include "common/sha256.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace airlock::testkit {
namespace {

struct Blob {
  std::string bytes;
  Digest digest;
};

Blob blob_of(std::string bytes) {
  Blob b;
  b.digest = Sha256::of(bytes);
  b.bytes = std::move(bytes);
  return b;
}

std::string descriptor(std::string_view media_type, const Digest& d, std::uint64_t size,
                       const std::string& extra = "") {
  return fmt::format(R"({{"mediaType":"{}","digest":"{}","size":{}{}}})", media_type, d.str(), size, extra);
}

std::string manifest_json(const Blob& config, std::uint64_t config_size, const Blob& layer, std::uint64_t layer_size,
                          const std::string& pad = "") {
  return fmt::format(R"({{"schemaVersion":2,"mediaType":"{}","config":{},"layers":[{}]{}}})", media_type::oci_manifest,
                     descriptor("application/vnd.oci.image.config.v1+json", config.digest, config_size),
                     descriptor("application/vnd.oci.image.layer.v1.tar", layer.digest, layer_size), pad);
}

// Writes `piece` forever (until the client goes away).
httplib::ContentProviderWithoutLength endless(std::string piece) {
  return [piece = std::move(piece)](std::size_t, httplib::DataSink& sink) {
    return sink.write(piece.data(), piece.size());
  };
}

}  // namespace

int hostile_registry(const std::vector<std::string>& args) {
  std::map<std::string, std::string> opt{{"--user", "airlock"}, {"--pass", "s3cret-pass"}, {"--storage-port", "0"}};
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) opt[args[i]] = args[i + 1];
  for (const char* k : {"--port", "--mode"})
    if (!opt.contains(k)) throw UsageError(fmt::format("hostile-registry needs {}", k));
  const std::string mode = opt["--mode"];
  static const std::set<std::string> modes{"ok",
                                           "token-huge",
                                           "token-endless",
                                           "manifest-huge",
                                           "manifest-endless",
                                           "index-children",
                                           "index-large-children",
                                           "config-huge",
                                           "config-endless",
                                           "blob-endless",
                                           "blob-size-2e62",
                                           "retry-after-huge",
                                           "retry-after-garbage",
                                           "stall-headers",
                                           "stall-body",
                                           "storage-401",
                                           "storage-401-basic"};
  if (!modes.contains(mode)) throw UsageError("hostile-registry: unknown --mode " + mode);
  const int port = std::stoi(opt["--port"]);
  const int storage_port = std::stoi(opt["--storage-port"]);
  const std::string origin = fmt::format("http://127.0.0.1:{}", port);
  const std::string expected_basic = "Basic " + base64_encode(opt["--user"] + ":" + opt["--pass"]);

  std::mutex mutex;
  const auto log = [&](const std::string& line) {
    std::lock_guard lock(mutex);
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };

  const Blob config = blob_of(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})");
  std::string layer_bytes(300000, '\0');
  for (std::size_t i = 0; i < layer_bytes.size(); ++i) layer_bytes[i] = static_cast<char>(i * 7 + i / 1000);
  const Blob layer = blob_of(layer_bytes);
  std::uint64_t config_size = config.bytes.size(), layer_size = layer.bytes.size();
  if (mode == "config-huge") config_size = 100'000'000;
  if (mode == "config-endless") config_size = 2000;
  if (mode == "blob-size-2e62") layer_size = std::uint64_t{1} << 62;
  const Blob manifest = blob_of(manifest_json(config, config_size, layer, layer_size));

  // An index whose children all name the one manifest (index-children), or
  // one 4 MiB manifest padded with an annotation (index-large-children).
  Blob child = manifest;
  if (mode == "index-large-children")
    child = blob_of(manifest_json(config, config_size, layer, layer_size,
                                  fmt::format(R"(,"annotations":{{"pad":"{}"}})", std::string(4'000'000, 'p'))));
  std::string index;
  if (mode.starts_with("index-")) {
    const int n = mode == "index-children" ? 5000 : 200;
    std::string list;
    for (int i = 0; i < n; ++i)
      list += (i ? "," : "") + descriptor(media_type::oci_manifest, child.digest, child.bytes.size(),
                                          fmt::format(R"(,"platform":{{"os":"linux","architecture":"a{}"}})", i));
    index = fmt::format(R"({{"schemaVersion":2,"mediaType":"{}","manifests":[{}]}})", media_type::oci_index, list);
  }

  std::atomic<int> manifest_gets{0};
  const bool bearer = mode.starts_with("token-");
  const bool basic = mode.starts_with("storage-401");
  // The registry's own auth: true when the request may go on.
  const auto authorised = [&](const httplib::Request& req, httplib::Response& res) {
    if (bearer && req.get_header_value("Authorization") != "Bearer t0ken") {
      res.status = 401;
      res.set_header("WWW-Authenticate", fmt::format(R"(Bearer realm="{}/token",service="hostile")", origin));
      return false;
    }
    if (basic && req.get_header_value("Authorization") != expected_basic) {
      res.status = 401;
      res.set_header("WWW-Authenticate", R"(Basic realm="hostile")");
      return false;
    }
    return true;
  };

  httplib::Server server;
  server.Get("/token", [&](const httplib::Request& req, httplib::Response& res) {
    log(fmt::format("token authorization={}", req.has_header("Authorization") ? "present" : "absent"));
    if (mode == "token-huge")
      res.set_content("{\"token\":\"" + std::string(50'000'000, 't') + "\"}", "application/json");
    else
      res.set_chunked_content_provider("application/json", endless(std::string(65536, 't')));
  });
  server.Get("/v2/", [&](const httplib::Request& req, httplib::Response& res) {
    if (authorised(req, res)) res.set_content("{}", "application/json");
  });
  server.Get("/v2/org/app/manifests/(.*)", [&](const httplib::Request& req, httplib::Response& res) {
    log(fmt::format("{} {}", req.method, req.path));
    if (!authorised(req, res)) return;
    const std::string ref = req.matches[1].str();
    const int n = ++manifest_gets;
    if (mode == "retry-after-huge" && n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "100000000000000000000");
      return;
    }
    if (mode == "retry-after-garbage" && n <= 2) {
      res.status = 429;
      res.set_header("Retry-After", n == 1 ? "soon" : "-1");
      return;
    }
    if (mode == "stall-headers") {
      std::this_thread::sleep_for(std::chrono::hours(1));
      return;
    }
    if (mode == "manifest-huge") {
      res.set_content("{\"pad\":\"" + std::string(100'000'000, ' ') + "\"}", std::string(media_type::oci_manifest));
      return;
    }
    if (mode == "manifest-endless") {
      res.set_chunked_content_provider(std::string(media_type::oci_manifest), endless(std::string(65536, ' ')));
      return;
    }
    if (!index.empty() && ref == "1.0") {
      res.set_header("Docker-Content-Digest", Sha256::of(index).str());
      res.set_content(index, std::string(media_type::oci_index));
      return;
    }
    const Blob& m = ref == child.digest.str() ? child : manifest;
    res.set_header("Docker-Content-Digest", m.digest.str());
    res.set_content(m.bytes, std::string(media_type::oci_manifest));
  });
  server.Get("/v2/org/app/blobs/(.*)", [&](const httplib::Request& req, httplib::Response& res) {
    log(fmt::format("{} {} range={}", req.method, req.path, req.get_header_value("Range")));
    if (!authorised(req, res)) return;
    const std::string digest = req.matches[1].str();
    if (digest == config.digest.str()) {
      if (mode == "config-endless")
        res.set_chunked_content_provider("application/json", endless(config.bytes));
      else
        res.set_content(config.bytes, "application/json");
      return;
    }
    if (digest != layer.digest.str()) {
      res.status = 404;
      return;
    }
    if (basic) {
      res.status = 307;
      res.set_header("Location", fmt::format("http://127.0.0.1:{}/storage/{}", storage_port, digest));
      return;
    }
    if (mode == "blob-endless" || mode == "blob-size-2e62") {
      res.set_chunked_content_provider("application/octet-stream", endless(layer.bytes.substr(0, 65536)));
      return;
    }
    if (mode == "stall-body") {
      res.set_content_provider(layer.bytes.size(), "application/octet-stream",
                               [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset < 100000) return sink.write(layer.bytes.data() + offset, 100000 - offset);
                                 std::this_thread::sleep_for(std::chrono::seconds(1));
                                 return sink.write(layer.bytes.data() + offset, 1);
                               });
      return;
    }
    res.set_content(layer.bytes, "application/octet-stream");
  });

  // Blob storage on another origin, for the storage-401 modes.
  httplib::Server storage;
  std::thread storage_thread;
  if (basic) {
    const std::string storage_origin = fmt::format("http://127.0.0.1:{}", storage_port);
    storage.Get("/storage/(.*)", [&, storage_origin](const httplib::Request& req, httplib::Response& res) {
      log(fmt::format("storage {} authorization={}", req.path, req.has_header("Authorization") ? "present" : "absent"));
      res.status = 401;
      if (mode == "storage-401") {
        res.set_header("WWW-Authenticate", fmt::format(R"(Bearer realm="{}/token",service="storage")", storage_origin));
      } else {
        res.set_header("WWW-Authenticate", R"(Basic realm="storage")");
      }
    });
    storage.Get("/token", [&](const httplib::Request& req, httplib::Response& res) {
      log(fmt::format("storage token authorization={}", req.has_header("Authorization") ? "present" : "absent"));
      res.set_content(R"({"token":"stolen"})", "application/json");
    });
    if (!storage.bind_to_port("127.0.0.1", storage_port)) throw Error("hostile-registry: cannot listen for storage");
    storage_thread = std::thread([&] { storage.listen_after_bind(); });
  }
  if (!server.listen("127.0.0.1", port)) throw Error("hostile-registry: cannot listen");
  if (storage_thread.joinable()) {
    storage.stop();
    storage_thread.join();
  }
  return 0;
}

}  // namespace airlock::testkit
