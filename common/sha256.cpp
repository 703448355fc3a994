#include "common/sha256.hpp"

#include "common/error.hpp"

#include <openssl/evp.h>

namespace airlock {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<Digest> Digest::from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return Digest(bytes);
}

std::optional<Digest> Digest::parse(std::string_view text) {
  constexpr std::string_view prefix = "sha256:";
  if (!text.starts_with(prefix)) return std::nullopt;
  return from_hex(text.substr(prefix.size()));
}

std::string Digest::hex() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    out[2 * i] = digits[m_bytes[i] >> 4];
    out[2 * i + 1] = digits[m_bytes[i] & 0xf];
  }
  return out;
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
  if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error("sha256: cannot initialise: " + openssl_error_text());
}

void Sha256::update(std::span<const std::uint8_t> data) {
  if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1)
    throw Error("sha256: update failed: " + openssl_error_text());
}

void Sha256::update(std::string_view data) {
  update(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Digest Sha256::finish() {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len) != 1 || len != out.size())
    throw Error("sha256: finish failed: " + openssl_error_text());
  return Digest(out);
}

Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

}  // namespace airlock
