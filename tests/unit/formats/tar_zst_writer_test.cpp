#include "formats/tar_zst_writer.hpp"

#include "../error_matcher.hpp"
#include "common/fd.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string path;
  std::string data;
  mode_t type;
  int perm;
  std::int64_t mtime;
  std::int64_t uid;
};

// Reads the file back with libarchive's own zstd filter, the way
// `tar --zstd -x` would: an independent check of the writer's output.
std::vector<Entry> read_back(const fs::path& file) {
  ArchiveReadPtr a(archive_read_new());
  REQUIRE(archive_read_support_filter_zstd(a.get()) == ARCHIVE_OK);
  REQUIRE(archive_read_support_format_tar(a.get()) == ARCHIVE_OK);
  REQUIRE(archive_read_open_filename(a.get(), file.c_str(), 65536) == ARCHIVE_OK);
  std::vector<Entry> out;
  archive_entry* e = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    Entry entry{archive_entry_pathname(e), "",
                archive_entry_filetype(e), static_cast<int>(archive_entry_perm(e)),
                archive_entry_mtime(e),    archive_entry_uid(e)};
    char buf[8192];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) entry.data.append(buf, static_cast<std::size_t>(n));
    REQUIRE(n == 0);
    out.push_back(std::move(entry));
  }
  REQUIRE(rc == ARCHIVE_EOF);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Fd create(const fs::path& p) {
  Fd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd.valid());
  return fd;
}

// Some incompressible-looking bytes, larger than a zstd job.
std::string pseudo_random(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

void write_sample(const fs::path& file, int workers) {
  const auto fd = create(file);
  TarZstWriter w(fd.get(), file.string(), {.level = 3, .workers = workers, .mtime = 1700000000});
  w.add("bundle.dsse.json", "{}");
  w.add("manifests/" + std::string(150, 'n') + ".yaml", "kind: x\n");  // needs a pax header
  const auto big = pseudo_random(3 << 20);
  w.begin_entry("blobs/sha256/big", big.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(big.data());
  for (std::size_t off = 0; off < big.size(); off += 100000)
    w.write(std::span(p + off, std::min<std::size_t>(100000, big.size() - off)));
  w.end_entry();
  w.add("empty", "");
  w.finish();
  CHECK(w.compressed_bytes() == fs::file_size(file));
}

}  // namespace

TEST_CASE("TarZstWriter writes a tar.zst that libarchive reads back", "[tar_zst_writer]") {
  TempDir dir("airlock-unit");
  const auto file = dir.path() / "b.tar.zst";
  write_sample(file, 2);

  // A zstd frame: the magic number 28 b5 2f fd.
  const auto bytes = slurp(file);
  REQUIRE(bytes.size() > 4);
  CHECK(bytes.substr(0, 4) == "\x28\xb5\x2f\xfd");
  CHECK(bytes.size() < (3 << 20) + 10000);  // streamed, not padded or duplicated

  const auto entries = read_back(file);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].path == "bundle.dsse.json");  // the order entries were added
  CHECK(entries[0].data == "{}");
  CHECK(entries[1].path == "manifests/" + std::string(150, 'n') + ".yaml");
  CHECK(entries[1].data == "kind: x\n");
  CHECK(entries[2].path == "blobs/sha256/big");
  CHECK(entries[2].data == pseudo_random(3 << 20));
  CHECK(entries[3].path == "empty");
  CHECK(entries[3].data.empty());
  for (const auto& e : entries) {
    CAPTURE(e.path);
    CHECK(e.type == AE_IFREG);
    CHECK(e.perm == 0644);
    CHECK(e.mtime == 1700000000);
    CHECK(e.uid == 0);
  }
}

TEST_CASE("TarZstWriter output is reproducible", "[tar_zst_writer]") {
  TempDir dir("airlock-unit");
  write_sample(dir.path() / "a.tar.zst", 1);
  write_sample(dir.path() / "b.tar.zst", 1);
  CHECK(slurp(dir.path() / "a.tar.zst") == slurp(dir.path() / "b.tar.zst"));
}

TEST_CASE("TarZstWriter refuses entries whose size does not match", "[tar_zst_writer]") {
  TempDir dir("airlock-unit");
  const auto fd = create(dir.path() / "b.tar.zst");
  TarZstWriter w(fd.get(), "b.tar.zst", {.workers = 1});
  const std::uint8_t data[8] = {};

  w.begin_entry("blobs/sha256/x", 4);
  REQUIRE_THROWS_MATCHES(w.write(std::span(data, 5)), Error,
                         FailsWith(ExitCode::other, {"b.tar.zst", "blobs/sha256/x", "more bytes than its size"}));
  w.write(std::span(data, 3));
  REQUIRE_THROWS_MATCHES(w.end_entry(), Error, FailsWith(ExitCode::other, {"blobs/sha256/x", "ended 1 bytes short"}));
  REQUIRE_THROWS_MATCHES(w.begin_entry("next", 1), Error,
                         FailsWith(ExitCode::other, {"next", "started before blobs/sha256/x ended"}));
}

TEST_CASE("TarZstWriter reports a failing output naming it", "[tar_zst_writer]") {
  TempDir dir("airlock-unit");
  const auto path = dir.path() / "b.tar.zst";
  { std::ofstream(path) << ""; }
  // A read-only descriptor: every write() fails with EBADF.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(fd.valid());
  const auto attempt = [&] {
    TarZstWriter w(fd.get(), "b.tar.zst", {.workers = 1});
    w.add("blobs/sha256/big", pseudo_random(1 << 20));
    w.finish();
  };
  REQUIRE_THROWS_MATCHES(attempt(), Error, FailsWith(ExitCode::other, {"cannot write b.tar.zst"}));
}
