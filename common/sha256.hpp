#pragma once
// Streaming SHA-256 over OpenSSL's EVP interface (which uses the CPU's SHA
// extensions), and the Digest value that names content everywhere in airlock.

#include "common/openssl_handles.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace airlock {

class Digest {
public:
  Digest() = default;
  explicit Digest(const std::array<std::uint8_t, 32>& bytes) : m_bytes(bytes) {}

  // Parses 64 lowercase hex characters; nullopt for anything else.
  [[nodiscard]] static std::optional<Digest> from_hex(std::string_view hex);
  // Parses "sha256:<64 lowercase hex>"; nullopt for anything else.
  [[nodiscard]] static std::optional<Digest> parse(std::string_view text);

  [[nodiscard]] std::string hex() const;
  [[nodiscard]] std::string str() const { return "sha256:" + hex(); }
  [[nodiscard]] const std::array<std::uint8_t, 32>& bytes() const noexcept { return m_bytes; }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

private:
  std::array<std::uint8_t, 32> m_bytes{};
};

class Sha256 {
public:
  Sha256();
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);
  // Finishes the hash; the object must not be updated afterwards.
  [[nodiscard]] Digest finish();

  [[nodiscard]] static Digest of(std::string_view data);

private:
  EvpMdCtxPtr m_ctx;
};

}  // namespace airlock
