#include "formats/ed25519_key.hpp"

#include "../error_matcher.hpp"
#include "common/sha256.hpp"
#include "common/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>
#include <string>

using namespace airlock;
using airlock::test::FailsWith;

namespace {

// RFC 8032 section 7.1, TEST 1, as PKCS#8 and SPKI PEM.
constexpr const char* k_rfc_private_pem = "-----BEGIN PRIVATE KEY-----\n"
                                          "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                                          "-----END PRIVATE KEY-----\n";
constexpr const char* k_rfc_public_pem = "-----BEGIN PUBLIC KEY-----\n"
                                         "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                                         "-----END PUBLIC KEY-----\n";
constexpr const char* k_rfc_public_hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* k_rfc_sig_empty_hex = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
                                            "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
// A P-256 public key: valid SPKI PEM, wrong algorithm.
constexpr const char* k_p256_public_pem = "-----BEGIN PUBLIC KEY-----\n"
                                          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMjSYY0Wdj/nMmVZmKTor5pW4HfBI\n"
                                          "4ldNKoMfxIqRDuGVTvi43VvMJ46fYuGie2SZo5KduJ0+8l3p3hLCkSeILA==\n"
                                          "-----END PUBLIC KEY-----\n";

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("Ed25519 signs the RFC 8032 test vector", "[ed25519]") {
  const auto key = SigningKey::from_pem(k_rfc_private_pem, "rfc8032");
  CHECK(hex(key.sign("")) == k_rfc_sig_empty_hex);
  CHECK(key.public_key().pem() == k_rfc_public_pem);
  const auto pub = PublicKey::from_pem(k_rfc_public_pem, "rfc8032.pub");
  CHECK(pub.verify("", unhex(k_rfc_sig_empty_hex)));
  CHECK(pub.source() == "rfc8032.pub");
}

TEST_CASE("keyid is the sha256 of the DER SubjectPublicKeyInfo", "[ed25519]") {
  // An Ed25519 SPKI is a fixed 12-byte prefix and the 32-byte key (RFC 8410).
  const std::string spki = unhex("302a300506032b6570032100") + unhex(k_rfc_public_hex);
  const auto expected = Sha256::of(spki).hex();
  CHECK(expected == "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9");
  CHECK(PublicKey::from_pem(k_rfc_public_pem, "p").keyid() == expected);
  const auto key = SigningKey::from_pem(k_rfc_private_pem, "k");
  CHECK(key.keyid() == expected);
  CHECK(key.public_key().keyid() == expected);
}

TEST_CASE("Ed25519 verification fails for another message, signature or key", "[ed25519]") {
  const auto key = SigningKey::generate();
  const auto other = SigningKey::generate();
  const auto pub = key.public_key();
  CHECK(key.keyid() != other.keyid());
  CHECK(key.keyid().size() == 64);

  const std::string message = "the signed index";
  const auto sig = key.sign(message);
  REQUIRE(sig.size() == 64);
  CHECK(pub.verify(message, sig));
  CHECK_FALSE(pub.verify("the signed indeX", sig));
  CHECK_FALSE(pub.verify(message + " ", sig));
  auto flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
  CHECK_FALSE(pub.verify(message, flipped));
  CHECK_FALSE(pub.verify(message, sig.substr(0, 63)));
  CHECK_FALSE(pub.verify(message, ""));
  CHECK_FALSE(other.public_key().verify(message, sig));
}

TEST_CASE("Keys survive PEM round trips", "[ed25519]") {
  const auto key = SigningKey::generate();
  const auto pem = key.private_pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);  // PKCS#8, unencrypted
  const auto again = SigningKey::from_pem(pem, "again");
  CHECK(again.keyid() == key.keyid());
  CHECK(key.public_key().verify("m", again.sign("m")));

  const auto pub_pem = key.public_key().pem();
  CHECK(pub_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);  // SPKI
  CHECK(PublicKey::from_pem(pub_pem, "p").keyid() == key.keyid());
}

TEST_CASE("Key parsing refuses what is not an Ed25519 key, naming the source", "[ed25519]") {
  REQUIRE_THROWS_MATCHES(PublicKey::from_pem("not a key", "signer.pub"), UsageError,
                         FailsWith(ExitCode::usage, {"signer.pub", "not a PEM SubjectPublicKeyInfo"}));
  REQUIRE_THROWS_MATCHES(PublicKey::from_pem(k_p256_public_pem, "ec.pub"), UsageError,
                         FailsWith(ExitCode::usage, {"ec.pub", "not an Ed25519 key"}));
  // A private key where a public one belongs, and the other way round.
  REQUIRE_THROWS_MATCHES(PublicKey::from_pem(k_rfc_private_pem, "swapped.pub"), UsageError,
                         FailsWith(ExitCode::usage, {"swapped.pub"}));
  REQUIRE_THROWS_MATCHES(SigningKey::from_pem(k_rfc_public_pem, "swapped.key"), UsageError,
                         FailsWith(ExitCode::usage, {"swapped.key", "not an unencrypted PKCS#8 PEM key"}));
}

TEST_CASE("Key files: load, and refuse a private key others can read", "[ed25519]") {
  TempDir dir("airlock-unit");
  const auto key_path = dir.path() / "signer.key";
  const auto pub_path = dir.path() / "signer.pub";
  write_file(key_path, k_rfc_private_pem, 0600);
  write_file(pub_path, k_rfc_public_pem, 0644);

  CHECK(SigningKey::load(key_path).keyid() == PublicKey::load(pub_path).keyid());
  CHECK(PublicKey::load(pub_path).source() == pub_path.string());

  REQUIRE(::chmod(key_path.c_str(), 0640) == 0);
  REQUIRE_THROWS_MATCHES(SigningKey::load(key_path), UsageError,
                         FailsWith(ExitCode::usage, {key_path.string(), "chmod 600"}));
  REQUIRE_THROWS_MATCHES(PublicKey::load(dir.path() / "missing.pub"), UsageError,
                         FailsWith(ExitCode::usage, {"missing.pub"}));
  REQUIRE_THROWS_MATCHES(SigningKey::load(dir.path() / "missing.key"), UsageError,
                         FailsWith(ExitCode::usage, {"missing.key"}));
}
