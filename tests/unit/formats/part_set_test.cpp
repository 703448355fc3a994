#include "formats/part_header.hpp"
#include "formats/part_set.hpp"
#include "formats/part_writer.hpp"

#include "../error_matcher.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::vector<std::uint8_t> drain(ByteInput& in) {
  std::vector<std::uint8_t> out, buf(100000);  // not a multiple of the chunk size
  for (;;) {
    const auto n = in.read(buf);
    if (n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

void flip(const std::filesystem::path& p, std::uint64_t at) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at));
  char c = 0;
  f.seekg(static_cast<std::streamoff>(at));
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x40);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

PartIdentity identity() { return {Sha256::of("index"), "demo", "1.0.0", 3}; }

}  // namespace

TEST_CASE("PartHeader round trip, and what decode refuses", "[parts]") {
  PartHeader h;
  h.bundle_digest = Sha256::of("index");
  h.set = std::string(32, 'a');
  h.bundle_size = 10'000'000;
  h.release = "demo";
  h.version = "1.0.0";
  h.sequence = 3;
  h.groups = 2;
  h.group = 1;
  h.data_parts = 4;
  h.parity_parts = 2;
  h.part = 5;
  h.rows = 3;
  h.group_offset = 7'000'000;
  h.group_size = 3'000'000;
  const auto block = h.encode();
  REQUIRE(block.size() == k_part_header_size);
  CHECK(block.starts_with(k_part_magic));
  const auto back = PartHeader::decode(block, "p");
  REQUIRE(back);
  CHECK(back->encode() == block);
  CHECK(back->is_parity());
  CHECK(back->file_name() == "demo-1.0.0-s3." + h.bundle_digest.hex().substr(0, 12) + ".g00001.p001.part");
  CHECK(back->file_size() == k_part_header_size + 3 * (k_part_chunk_size + 32));
  CHECK_FALSE(PartHeader::decode("not a part", "p"));

  const auto rejects = [&](PartHeader bad, const std::string& why) {
    CAPTURE(why);
    REQUIRE_THROWS_MATCHES(PartHeader::decode(bad.encode(), "p"), VerificationError,
                           FailsWith(ExitCode::verification, {"p", why}));
  };
  auto b = h;
  b.part = 6;
  rejects(b, "shape");
  b = h;
  b.group = 2;
  rejects(b, "part group 2 of 2");
  b = h;
  b.group_size = 4 * k_part_chunk_size * 3 + 1;  // more than its rows hold
  rejects(b, "do not add up");
  b = h;
  b.group_size = 4 * k_part_chunk_size * 2;  // its last row empty
  rejects(b, "do not add up");
  b = h;
  b.group_offset = 9'000'000;  // past the bundle's end
  rejects(b, "do not add up");
  b = h;
  b.release = "Bad Name";
  rejects(b, "release name or version");
  b = h;
  b.set = "xyz";
  rejects(b, "32 hex digits");
  auto damaged = block;
  damaged[k_part_magic.size() + 5] ^= 1;
  REQUIRE_THROWS_MATCHES(PartHeader::decode(damaged, "p"), VerificationError,
                         FailsWith(ExitCode::verification, {"does not match its sha256"}));
}

TEST_CASE("Parts: written, lost, damaged, cut short, and read back whole", "[parts]") {
  const TempDir dir("airlock-parts");
  const auto bundle = random_bytes(3 * k_part_chunk_size * 5 + 12345, 1);  // 2 groups of 3 + 2, the last short
  PartLayout layout{k_part_header_size + 3 * (k_part_chunk_size + 32), 3, 2};
  REQUIRE(part_rows(layout) == 3);
  PartWriter w(dir.path(), layout, identity());
  w.write(std::span(bundle.data(), 1000));
  w.write(std::span(bundle.data() + 1000, bundle.size() - 1000));
  const auto files = w.finish();
  REQUIRE(files.size() == 10);
  CHECK(files.front().filename().string().ends_with(".g00000.d000.part"));
  CHECK(files.back().filename().string().ends_with(".g00001.p001.part"));
  for (const auto& f : std::filesystem::directory_iterator(dir.path()))
    CHECK_FALSE(f.path().filename().string().starts_with("."));  // no temporary left

  const auto read_back = [&](std::uint64_t* decoded = nullptr) {
    auto scan = scan_parts({dir.path()});
    REQUIRE(scan.sets.size() == 1);
    scan.sets[0].require_decodable("d");
    PartSetInput in(std::move(scan.sets[0]));
    auto out = drain(in);
    if (decoded) *decoded = in.decoded_rows();
    return out;
  };
  std::uint64_t decoded = 0;
  CHECK(read_back(&decoded) == bundle);
  CHECK(decoded == 0);

  // Two of each group lost or damaged: a data part and a parity part gone
  // in group 0; in group 1 a data part cut short and a chunk of another
  // flipped.
  std::filesystem::remove(files[1]);
  std::filesystem::remove(files[3]);
  std::filesystem::resize_file(files[5], k_part_header_size + (k_part_chunk_size + 32) + 100);
  flip(files[6], k_part_header_size + 2 * (k_part_chunk_size + 32) + 77);
  auto scan = scan_parts({dir.path()});
  REQUIRE(scan.sets.size() == 1);
  const auto status = scan.sets[0].status();
  REQUIRE(status.size() == 2);
  CHECK(status[0].missing == std::vector<int>{1, 3});
  CHECK(status[0].decodable);
  REQUIRE(status[1].damaged.size() == 1);
  CHECK(status[1].damaged[0].first == 0);
  CHECK_THAT(status[1].damaged[0].second, Catch::Contains("cut short at chunk 1 of"));
  CHECK(status[1].decodable);
  CHECK(read_back(&decoded) == bundle);
  CHECK(decoded > 0);

  // One more: a damaged header is a missing part, and group 0 no longer decodes.
  flip(files[0], k_part_magic.size() + 10);
  scan = scan_parts({dir.path()});
  REQUIRE(scan.damaged.size() == 1);
  REQUIRE_THROWS_MATCHES(scan.sets[0].require_decodable("d"), VerificationError,
                         FailsWith(ExitCode::verification, {"group 0: 2 of 5 parts whole, 3 needed", "d00, d01, p00"}));
}

TEST_CASE("Parts: a chunk damaged beyond the parity fails the read, naming group and chunk", "[parts]") {
  const TempDir dir("airlock-parts");
  const auto bundle = random_bytes(2 * k_part_chunk_size * 2, 2);
  PartWriter w(dir.path(), {k_part_header_size + 2 * (k_part_chunk_size + 32), 2, 1}, identity());
  w.write(bundle);
  const auto files = w.finish();
  REQUIRE(files.size() == 3);
  flip(files[0], k_part_header_size + (k_part_chunk_size + 32) + 5);  // row 1 of d00
  flip(files[2], k_part_header_size + (k_part_chunk_size + 32) + 9);  // row 1 of p00
  auto scan = scan_parts({dir.path()});
  PartSetInput in(std::move(scan.sets.at(0)));
  REQUIRE_THROWS_MATCHES(drain(in), VerificationError,
                         FailsWith(ExitCode::verification, {"group 0, chunk 1", "1 of 3 parts readable", "d00, p00"}));
}

TEST_CASE("Parts of two sets are told apart", "[parts]") {
  const TempDir dir("airlock-parts");
  const auto bundle = random_bytes(1000, 3);
  const PartLayout layout{k_part_header_size + k_part_chunk_size + 32, 2, 1};
  for (int i = 0; i < 2; ++i) {
    PartWriter w(dir.path() / "", layout, {Sha256::of(std::to_string(i)), "demo", "1.0.0", 1});
    w.write(bundle);
    (void)w.finish();
  }
  const auto scan = scan_parts({dir.path()});
  REQUIRE(scan.sets.size() == 2);
  CHECK(scan.sets[0].first.set != scan.sets[1].first.set);
  CHECK(scan.sets[0].decodable());
  CHECK(scan.sets[1].decodable());
}

TEST_CASE("PartWriter: layouts it refuses, and nothing left when it fails", "[parts]") {
  const TempDir dir("airlock-parts");
  CHECK_THROWS_MATCHES(part_rows({1000, 10, 1}), UsageError, FailsWith(ExitCode::usage, {"smallest part"}));
  CHECK_THROWS_AS(part_rows({1 << 30, 200, 56}), UsageError);
  {
    PartWriter w(dir.path(), {k_part_header_size + k_part_chunk_size + 32, 2, 1}, identity());
    const auto bytes = random_bytes(k_part_chunk_size * 3, 4);
    w.write(bytes);
    // destroyed without finish(): an error in the pass that feeds it
  }
  CHECK(std::filesystem::is_empty(dir.path()));
}
