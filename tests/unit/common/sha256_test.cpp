#include "common/sha256.hpp"

#include <catch2/catch.hpp>

#include <string>

using airlock::Digest;
using airlock::Sha256;

namespace {
// FIPS 180-2 test vectors.
constexpr const char* k_empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* k_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* k_million_a = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
}  // namespace

TEST_CASE("Sha256::of matches the FIPS 180-2 vectors", "[sha256]") {
  CHECK(Sha256::of("").hex() == k_empty);
  CHECK(Sha256::of("abc").hex() == k_abc);
  CHECK(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex() ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("Sha256 streams: many updates hash like one", "[sha256]") {
  // One million 'a' in uneven pieces, as blobs arrive from the network.
  Sha256 h;
  const std::string chunk(997, 'a');
  std::size_t left = 1'000'000;
  while (left > 0) {
    const auto n = std::min(left, chunk.size());
    h.update(std::string_view(chunk).substr(0, n));
    left -= n;
  }
  CHECK(h.finish().hex() == k_million_a);

  Sha256 bytes;
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  bytes.update(std::span<const std::uint8_t>(abc, 1));
  bytes.update(std::span<const std::uint8_t>(abc + 1, 2));
  CHECK(bytes.finish().hex() == k_abc);
}

TEST_CASE("Digest parses only lowercase sha256 hex", "[sha256]") {
  const auto d = Digest::parse(std::string("sha256:") + k_abc);
  REQUIRE(d);
  CHECK(*d == Sha256::of("abc"));
  CHECK(d->hex() == k_abc);
  CHECK(d->str() == std::string("sha256:") + k_abc);
  CHECK(d->bytes()[0] == 0xba);
  CHECK(d->bytes()[31] == 0xad);
  REQUIRE(Digest::from_hex(k_abc));
  CHECK(*Digest::from_hex(k_abc) == *d);

  std::string upper = k_abc;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK_FALSE(Digest::from_hex(upper));
  CHECK_FALSE(Digest::from_hex(std::string(k_abc).substr(1)));  // 63 characters
  CHECK_FALSE(Digest::from_hex(std::string(k_abc) + "0"));      // 65 characters
  CHECK_FALSE(Digest::from_hex(std::string(63, '0') + "g"));
  CHECK_FALSE(Digest::from_hex(""));
  CHECK_FALSE(Digest::parse(k_abc));  // no algorithm
  CHECK_FALSE(Digest::parse(std::string("SHA256:") + k_abc));
  CHECK_FALSE(Digest::parse(std::string("sha512:") + k_abc));
  CHECK_FALSE(Digest::parse(std::string("sha256: ") + k_abc));
}

TEST_CASE("Digests compare by value", "[sha256]") {
  const auto a = Sha256::of("a");
  const auto b = Sha256::of("b");
  CHECK(a != b);
  CHECK(a == Sha256::of("a"));
  CHECK(Digest() != a);  // the default is all zero bytes, not a real digest
  CHECK(Digest().hex() == std::string(64, '0'));
  CHECK((a < b) == (a.hex() < b.hex()));  // byte order is hex order
}
