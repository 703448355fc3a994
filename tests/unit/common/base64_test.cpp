#include "common/base64.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using airlock::base64_decode;
using airlock::base64_encode;

TEST_CASE("base64 matches the RFC 4648 vectors both ways", "[base64]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == plain);
  }
}

TEST_CASE("base64 round-trips every byte value, NUL included", "[base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len : {0u, 1u, 2u, 3u, 64u, 255u, 256u}) {
    CAPTURE(len);
    const auto data = all.substr(0, len);
    const auto encoded = base64_encode(data);
    CHECK(encoded.size() == 4 * ((len + 2) / 3));
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == data);
  }
  // A 64-byte Ed25519 signature is what DSSE carries: no line breaks.
  CHECK(base64_encode(std::string(64, '\xff')).find('\n') == std::string::npos);
}

TEST_CASE("base64_decode is strict", "[base64]") {
  for (const char* bad : {
           "Zg",        // missing padding
           "Zg=",       // length not a multiple of 4
           "Zm9v\n",    // whitespace
           "Zm9 v===",  // space inside
           "Zm9-",      // base64url alphabet
           "Zm9_",
           "Zg=a",  // '=' before the end
           "=Zm9",
           "Z===",      // three padding characters
           "Zm9v====",  // a whole block of padding
           "====",
           "Zm9\x80",  // non-ASCII
       }) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad));
  }
}
