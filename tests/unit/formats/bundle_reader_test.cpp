#include "formats/bundle_reader.hpp"

#include "../error_matcher.hpp"
#include "common/fd.hpp"
#include "common/temp_dir.hpp"
#include "formats/tar_zst_writer.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
namespace fs = std::filesystem;

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Writes the entries, in order, as a tar.zst.
void write_archive(const fs::path& file, const Entries& entries) {
  Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd.valid());
  TarZstWriter w(fd.get(), file.string(), {.workers = 1});
  for (const auto& [path, data] : entries) w.add(path, data);
  w.finish();
}

// Appends `data` as one more zstd frame; a decoder reads the frames as one stream.
void append_frame(const fs::path& file, const std::string& data) {
  std::string frame(ZSTD_compressBound(data.size()), '\0');
  const auto n = ZSTD_compress(frame.data(), frame.size(), data.data(), data.size(), 3);
  REQUIRE_FALSE(ZSTD_isError(n));
  std::ofstream(file, std::ios::binary | std::ios::app) << frame.substr(0, n);
}

// An index listing `listed` and the signed envelope carrying it.
struct Signed {
  BundleIndex index;
  std::string envelope;
};

Signed sign(const Entries& listed) {
  static const SigningKey key = SigningKey::generate();
  Signed s;
  s.index.name = "demo";
  s.index.version = "1";
  s.index.sequence = 1;
  s.index.created = 1700000000;
  for (const auto& [path, data] : listed) s.index.entries.push_back({path, Sha256::of(data), data.size()});
  s.envelope = dsse_sign(k_bundle_payload_type, s.index.to_json(), {&key}).to_json();
  return s;
}

struct Recorder final : EntryHandler {
  std::map<std::string, std::string> data;
  std::vector<std::string> verified;
  void on_data(const IndexEntry& e, std::span<const std::uint8_t> bytes) override {
    data[e.path].append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  void on_verified(const IndexEntry& e) override { verified.push_back(e.path); }
};

struct CountingProgress final : Progress {
  std::uint64_t total = 0;
  std::uint64_t advanced = 0;
  int ended = 0;
  void begin(std::string_view, std::uint64_t t) override { total = t; }
  void advance(std::uint64_t n) override { advanced += n; }
  void end() override { ++ended; }
  void warn(std::string_view) override {}
};

const Entries k_listed = {
    {"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"},
    {"manifests/app.yaml", "kind: ConfigMap\n"},
    {blob_entry_path(Sha256::of(std::string(300000, 'L'))), std::string(300000, 'L')},
};

// The archive: the envelope, then `body`.
Entries with_envelope(const Signed& s, const Entries& body) {
  Entries all{{std::string(k_envelope_entry), s.envelope}};
  all.insert(all.end(), body.begin(), body.end());
  return all;
}

}  // namespace

TEST_CASE("BundleReader reads the envelope, then streams verified entries", "[bundle_reader]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  const auto s = sign(k_listed);
  write_archive(file, with_envelope(s, k_listed));

  BundleReader reader(file);
  CHECK(reader.name() == file.string());
  CHECK(reader.envelope().payload == s.index.to_json());
  CHECK(reader.envelope().payload_type == k_bundle_payload_type);
  REQUIRE(reader.envelope().signatures.size() == 1);

  Recorder rec;
  CountingProgress progress;
  reader.stream(s.index, rec, progress);
  CHECK(rec.verified == std::vector<std::string>{"oci-layout", "manifests/app.yaml", k_listed[2].first});
  for (const auto& [path, data] : k_listed) {
    CAPTURE(path);
    CHECK(rec.data[path] == data);
  }
  CHECK(progress.total == s.index.total_entry_bytes());
  CHECK(progress.advanced == s.index.total_entry_bytes());
  CHECK(progress.ended == 1);
  CHECK(reader.archive_bytes() == s.envelope.size() + s.index.total_entry_bytes());
  CHECK(reader.compressed_bytes() == fs::file_size(file));
}

TEST_CASE("BundleReader refuses a bundle that does not start with a sound envelope", "[bundle_reader]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  const auto s = sign(k_listed);

  REQUIRE_THROWS_MATCHES(BundleReader(dir.path() / "missing.tar.zst"), UsageError,
                         FailsWith(ExitCode::usage, {"cannot open bundle", "missing.tar.zst"}));

  std::ofstream(file) << "";
  REQUIRE_THROWS_MATCHES(BundleReader(file), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "empty file"}));

  std::ofstream(file) << "this is not zstd at all, just text";
  REQUIRE_THROWS_MATCHES(BundleReader(file), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "not a valid zstd stream"}));

  write_archive(file, {});
  REQUIRE_THROWS_MATCHES(BundleReader(file), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "empty", "bundle.dsse.json first"}));

  write_archive(file, k_listed);
  REQUIRE_THROWS_MATCHES(BundleReader(file), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "entry \"oci-layout\"",
                                                            "the first entry must be bundle.dsse.json"}));

  write_archive(file, {{"bundle.dsse.json", "{\"payloadType\": 1}"}});
  REQUIRE_THROWS_MATCHES(BundleReader(file), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "invalid DSSE envelope"}));

  write_archive(file, with_envelope(s, k_listed));
  REQUIRE_THROWS_MATCHES(BundleReader(file, ReaderLimits{.max_envelope = 100}), VerificationError,
                         FailsWith(ExitCode::verification, {"bundle.dsse.json", "more than the limit of 100"}));
}

TEST_CASE("BundleReader::stream rejects entries that disagree with the signed index", "[bundle_reader]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  const auto s = sign(k_listed);

  // Streams `body` after the envelope against the index of k_listed, and
  // checks the rejection names the bundle, the entry and the reason.
  const auto rejects = [&](const Entries& body, const std::string& entry, const std::string& why,
                           const std::vector<std::string>& verified_before) {
    write_archive(file, with_envelope(s, body));
    BundleReader reader(file);
    Recorder rec;
    NullProgress progress;
    REQUIRE_THROWS_MATCHES(reader.stream(s.index, rec, progress), VerificationError,
                           FailsWith(ExitCode::verification, {file.string(), "\"" + entry + "\"", why}));
    // Nothing past the defect was passed on as verified.
    CHECK(rec.verified == verified_before);
  };
  const auto& layout = k_listed[0];
  const auto& yaml = k_listed[1];
  const auto& layer = k_listed[2];

  rejects({layout, {"extra.txt", "x"}, yaml, layer}, "extra.txt", "is not listed in the signed index", {"oci-layout"});
  rejects({layout, layout, yaml, layer}, "oci-layout", "appears twice in the archive", {"oci-layout"});
  rejects({{std::string(k_envelope_entry), s.envelope}, layout, yaml, layer}, "bundle.dsse.json", "appears twice", {});
  rejects({layout, {yaml.first, yaml.second + "!"}, layer}, "manifests/app.yaml",
          "is 17 bytes, the signed index says 16", {"oci-layout"});
  // Same size, one byte changed: only the hash can tell.
  auto altered = layer.second;
  altered[150000] = 'X';
  rejects({layout, yaml, {layer.first, altered}}, layer.first, "sha256 mismatch", {"oci-layout", "manifests/app.yaml"});
  // Entries come in the index's order: a missing one is caught where it
  // should have been, before anything after it is passed on.
  rejects({layout, layer}, "manifests/app.yaml", "listed in the signed index but missing from the archive",
          {"oci-layout"});
  rejects({yaml, layout, layer}, "oci-layout",
          "missing from the archive at its place (the archive has "
          "\"manifests/app.yaml\" there)",
          {});
  rejects({{"manifests/../../etc/passwd", "x"}}, "manifests/../../etc/passwd", "unsafe path", {});
}

TEST_CASE("BundleReader rejects a truncated bundle", "[bundle_reader]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  const auto s = sign(k_listed);
  write_archive(file, with_envelope(s, k_listed));
  fs::resize_file(file, fs::file_size(file) - 20);

  const auto read_all = [&] {
    BundleReader reader(file);
    Recorder rec;
    NullProgress progress;
    reader.stream(s.index, rec, progress);
  };
  REQUIRE_THROWS_MATCHES(read_all(), VerificationError, FailsWith(ExitCode::verification, {file.string()}));
}

TEST_CASE("BundleReader accepts zero padding after the archive and nothing else", "[bundle_reader]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  const auto s = sign(k_listed);
  const auto read_all = [&] {
    BundleReader reader(file);
    Recorder rec;
    NullProgress progress;
    reader.stream(s.index, rec, progress);
    return rec.verified.size();
  };

  write_archive(file, with_envelope(s, k_listed));
  append_frame(file, std::string(10240, '\0'));  // as tar -b would pad a record
  CHECK(read_all() == k_listed.size());

  // Bytes no signature covers, smuggled behind the end-of-archive marker.
  write_archive(file, with_envelope(s, k_listed));
  append_frame(file, std::string(1024, '\0') + "unsigned payload");
  REQUIRE_THROWS_MATCHES(read_all(), VerificationError,
                         FailsWith(ExitCode::verification, {file.string(), "data after the end of the archive"}));
}
