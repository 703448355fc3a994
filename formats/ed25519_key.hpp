#pragma once
// Ed25519 keys as DESIGN.md fixes them: private PKCS#8 PEM, public SPKI PEM,
// key id = lowercase hex sha256 of the DER SubjectPublicKeyInfo.

#include "common/openssl_handles.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace airlock {

class PublicKey {
public:
  // Throws UsageError naming the source when it is not an Ed25519 SPKI PEM.
  [[nodiscard]] static PublicKey from_pem(std::string_view pem, std::string source);
  [[nodiscard]] static PublicKey load(const std::filesystem::path& path);

  // Copies share the immutable key (a reference count).
  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  ~PublicKey() = default;

  [[nodiscard]] const std::string& keyid() const noexcept { return m_keyid; }
  [[nodiscard]] const std::string& source() const noexcept { return m_source; }
  [[nodiscard]] std::string pem() const;
  [[nodiscard]] bool verify(std::string_view message, std::string_view signature) const;

private:
  PublicKey(EvpPkeyPtr key, std::string source);
  EvpPkeyPtr m_key;
  std::string m_keyid;
  std::string m_source;
};

class SigningKey {
public:
  [[nodiscard]] static SigningKey generate();
  // Throws UsageError when the file is missing, readable by group or others,
  // or not an Ed25519 PKCS#8 PEM.
  [[nodiscard]] static SigningKey load(const std::filesystem::path& path);
  [[nodiscard]] static SigningKey from_pem(std::string_view pem, std::string source);

  [[nodiscard]] std::string private_pem() const;
  [[nodiscard]] PublicKey public_key() const;
  [[nodiscard]] std::string keyid() const;
  // Raw 64-byte Ed25519 signature.
  [[nodiscard]] std::string sign(std::string_view message) const;

private:
  explicit SigningKey(EvpPkeyPtr key) : m_key(std::move(key)) {}
  EvpPkeyPtr m_key;
};

}  // namespace airlock
