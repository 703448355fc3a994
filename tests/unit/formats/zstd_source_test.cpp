// The threaded zstd decoder: bytes in order across frames, a bounded ring
// (the decoder waits for the reader), corrupt, truncated and oversized-
// window input refused, the reader abandoning mid-stream.
#include "formats/zstd_source.hpp"

#include "../error_matcher.hpp"
#include "common/zstd_handles.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

using namespace airlock;
using namespace std::chrono_literals;
using airlock::test::FailsWith;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::string compress(const std::string& data, int window_log = 0) {
  const ZstdCCtxPtr c(ZSTD_createCCtx());
  REQUIRE(c);
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, 1);
  if (window_log > 0) ZSTD_CCtx_setParameter(c.get(), ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress2(c.get(), out.data(), out.size(), data.data(), data.size());
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A file with `bytes`, opened for reading (unlinked at once).
Fd file_with(const std::string& bytes) {
  char name[] = "/tmp/airlock-zstd-test.XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::unlink(name);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  return Fd(fd);
}

std::string read_all(ZstdSource& src) {
  std::string out;
  for (auto s = src.next(); !s.empty(); s = src.next()) out.append(reinterpret_cast<const char*>(s.data()), s.size());
  return out;
}

}  // namespace

TEST_CASE("zstd source: several frames decode in order", "[zstd_source]") {
  const std::string a = random_bytes(3 << 20, 1), b = std::string(5 << 20, 'z'), c = random_bytes(100, 3);
  ZstdSource src(file_with(compress(a) + compress(b) + compress(c)), "bundle.tar.zst", {24, 64 * 1024, 3});
  CHECK(read_all(src) == a + b + c);
  CHECK(src.next().empty());
}

TEST_CASE("zstd source: the decoder waits for the reader (bounded memory)", "[zstd_source]") {
  const std::string data = random_bytes(16 << 20, 7);  // incompressible: input ≈ output
  const std::string z = compress(data);
  ZstdSource src(file_with(z), "bundle.tar.zst", {24, 64 * 1024, 2});
  std::this_thread::sleep_for(200ms);
  // Two 64 KiB chunks and one read buffer ahead, not the whole file.
  CHECK(src.compressed_bytes() < 1u << 20);
  CHECK(read_all(src) == data);
  CHECK(src.compressed_bytes() == z.size());
}

TEST_CASE("zstd source: bad input is a VerificationError naming the file", "[zstd_source]") {
  const std::string data = random_bytes(1 << 20, 9);
  const std::string z = compress(data);
  SECTION("corrupt") {
    std::string bad = z;
    bad[bad.size() / 2] ^= 0x5a;
    bad[bad.size() / 2 + 1] ^= 0x33;
    bad[4] ^= 0x7f;  // the frame header too
    ZstdSource src(file_with(bad), "corrupt.tar.zst");
    REQUIRE_THROWS_MATCHES(read_all(src), VerificationError, FailsWith(ExitCode::verification, {"corrupt.tar.zst"}));
  }
  SECTION("truncated inside a frame") {
    ZstdSource src(file_with(z.substr(0, z.size() - 1000)), "cut.tar.zst");
    REQUIRE_THROWS_MATCHES(read_all(src), VerificationError,
                           FailsWith(ExitCode::verification, {"cut.tar.zst", "truncated"}));
  }
  SECTION("a window above the cap") {
    ZstdSource src(file_with(compress(std::string(4 << 20, 'w') + data, 27)), "bomb.tar.zst", {20, 1 << 20, 4});
    REQUIRE_THROWS_MATCHES(read_all(src), VerificationError,
                           FailsWith(ExitCode::verification, {"bomb.tar.zst", "window larger than 1 MiB"}));
  }
  SECTION("empty") {
    ZstdSource src(file_with(""), "empty.tar.zst");
    REQUIRE_THROWS_MATCHES(read_all(src), VerificationError,
                           FailsWith(ExitCode::verification, {"empty.tar.zst", "empty file"}));
  }
}

TEST_CASE("zstd source: a reader that stops mid-stream does not hang the decoder", "[zstd_source]") {
  const std::string data = random_bytes(8 << 20, 11);
  const auto start = std::chrono::steady_clock::now();
  {
    ZstdSource src(file_with(compress(data)), "bundle.tar.zst", {24, 64 * 1024, 2});
    CHECK(src.next().size() == 64 * 1024);
    std::this_thread::sleep_for(50ms);  // the decoder is blocked on a full ring now
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}
