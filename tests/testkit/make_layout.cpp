// Writes synthetic images into an OCI image layout: each layer is a real tar
// holding one file of pseudo-random bytes from a seed, so the same seed gives
// the same blob and images can share layers.

#include "common/archive_handles.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "formats/oci_types.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

namespace airlock::testkit {
namespace fs = std::filesystem;
namespace {

struct Written {
  Digest digest;
  std::uint64_t size;
};

void write_file(const fs::path& p, std::string_view data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) throw Error("cannot write " + p.string());
}

Written put_blob(const fs::path& dir, std::string_view data) {
  const Digest d = Sha256::of(data);
  const auto p = dir / "blobs" / "sha256" / d.hex();
  if (!fs::exists(p)) write_file(p, data);
  return {d, data.size()};
}

// A real layer: an uncompressed tar holding one file of pseudo-random bytes
// (splitmix64: fast, deterministic, incompressible like real gzip layers).
struct LayerSink {
  std::ofstream file;
  Sha256 hash;
  std::uint64_t size = 0;
};

la_ssize_t sink_write(archive*, void* self, const void* buf, size_t len) {
  auto* s = static_cast<LayerSink*>(self);
  s->file.write(static_cast<const char*>(buf), static_cast<std::streamsize>(len));
  s->hash.update(std::string_view(static_cast<const char*>(buf), len));
  s->size += len;
  return s->file ? static_cast<la_ssize_t>(len) : -1;
}

Written put_random_layer(const fs::path& dir, std::uint64_t seed, std::uint64_t size) {
  const auto tmp = dir / "blobs" / "sha256" / fmt::format("tmp-{}", seed);
  LayerSink sink;
  sink.file.open(tmp, std::ios::binary | std::ios::trunc);
  ArchiveWritePtr a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open2(a.get(), &sink, nullptr, sink_write, nullptr, nullptr);
  ArchiveEntryPtr e(archive_entry_new());
  const auto name = fmt::format("data/layer-{}.bin", seed);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) throw Error("cannot write layer " + name);

  std::vector<std::uint64_t> buf(1 << 17);
  // Start each seed at an unrelated point of the sequence, so two layers
  // never share runs of bytes that zstd could match.
  std::uint64_t state = seed ^ 0xD1B54A32D192ED03ULL;
  state = (state ^ (state >> 33)) * 0xFF51AFD7ED558CCDULL;
  state = (state ^ (state >> 33)) * 0xC4CEB9FE1A85EC53ULL;
  state ^= state >> 33;
  std::uint64_t left = size;
  while (left > 0) {
    for (auto& w : buf) {
      std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      w = z ^ (z >> 31);
    }
    const auto n = std::min<std::uint64_t>(left, buf.size() * 8);
    if (archive_write_data(a.get(), buf.data(), n) != static_cast<la_ssize_t>(n))
      throw Error("cannot write layer " + tmp.string());
    left -= n;
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) throw Error("cannot finish layer " + tmp.string());
  sink.file.close();
  const Digest d = sink.hash.finish();
  fs::rename(tmp, dir / "blobs" / "sha256" / d.hex());
  return {d, sink.size};
}

nlohmann::ordered_json descriptor(std::string_view mt, const Written& w) {
  return {{"mediaType", mt}, {"digest", w.digest.str()}, {"size", w.size}};
}

}  // namespace

int make_layout(const std::vector<std::string>& args) {
  if (args.size() < 2) throw UsageError("layout DIR REF [--platform OS/ARCH]... --layer SEED:SIZE...");
  const fs::path dir = args[0];
  const std::string ref = args[1];
  std::vector<std::string> platforms;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> layers;
  for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
    if (args[i] == "--platform")
      platforms.push_back(args[i + 1]);
    else if (args[i] == "--layer") {
      const auto colon = args[i + 1].find(':');
      layers.emplace_back(std::stoull(args[i + 1].substr(0, colon)), std::stoull(args[i + 1].substr(colon + 1)));
    } else
      throw UsageError("unknown option " + args[i]);
  }
  fs::create_directories(dir / "blobs" / "sha256");
  write_file(dir / "oci-layout", media_type::oci_layout_file);

  std::vector<Written> layer_blobs;
  for (const auto& [seed, size] : layers) layer_blobs.push_back(put_random_layer(dir, seed, size));

  const auto make_manifest = [&](const std::string& platform) {
    const auto slash = platform.find('/');
    nlohmann::ordered_json config{{"architecture", platform.substr(slash + 1)},
                                  {"os", platform.substr(0, slash)},
                                  {"config", {{"Labels", {{"airlock.test.ref", ref}}}}},
                                  {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::ordered_json::array()}}}};
    for (const auto& l : layer_blobs) config["rootfs"]["diff_ids"].push_back(l.digest.str());
    const auto cfg = put_blob(dir, config.dump());
    nlohmann::ordered_json m{{"schemaVersion", 2},
                             {"mediaType", media_type::oci_manifest},
                             {"config", descriptor("application/vnd.oci.image.config.v1+json", cfg)},
                             {"layers", nlohmann::ordered_json::array()}};
    for (const auto& l : layer_blobs) m["layers"].push_back(descriptor("application/vnd.oci.image.layer.v1.tar", l));
    return put_blob(dir, m.dump());
  };

  nlohmann::ordered_json root;
  if (platforms.empty()) {
    root = descriptor(media_type::oci_manifest, make_manifest("linux/amd64"));
  } else {
    nlohmann::ordered_json idx{{"schemaVersion", 2},
                               {"mediaType", media_type::oci_index},
                               {"manifests", nlohmann::ordered_json::array()}};
    for (const auto& p : platforms) {
      auto d = descriptor(media_type::oci_manifest, make_manifest(p));
      const auto slash = p.find('/');
      d["platform"] = {{"architecture", p.substr(slash + 1)}, {"os", p.substr(0, slash)}};
      idx["manifests"].push_back(d);
    }
    root = descriptor(media_type::oci_index, put_blob(dir, idx.dump()));
  }
  root["annotations"] = {{std::string(k_ref_name_annotation), ref}};

  nlohmann::ordered_json index{{"schemaVersion", 2}, {"manifests", nlohmann::ordered_json::array()}};
  if (fs::exists(dir / "index.json")) {
    std::ifstream f(dir / "index.json");
    index = nlohmann::ordered_json::parse(f);
  }
  auto& list = index["manifests"];
  for (auto it = list.begin(); it != list.end();) {
    if ((*it)["annotations"].value(std::string(k_ref_name_annotation), "") == ref)
      it = list.erase(it);
    else
      ++it;
  }
  list.push_back(root);
  write_file(dir / "index.json", index.dump());
  fmt::print("{} {}\n", ref, root["digest"].get<std::string>());
  return 0;
}

}  // namespace airlock::testkit
