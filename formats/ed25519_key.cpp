#include "formats/ed25519_key.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/sha256.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_key_file = 64 * 1024;

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string spki_keyid(EVP_PKEY* key) {
  unsigned char* raw = nullptr;
  const int n = i2d_PUBKEY(key, &raw);
  const OpensslBytesPtr der(raw);
  if (n <= 0) throw Error("cannot encode public key: " + openssl_error_text());
  return Sha256::of(std::string_view(reinterpret_cast<const char*>(der.get()), static_cast<std::size_t>(n))).hex();
}

// An Ed25519 key read from PEM by `read` (public or private), or
// UsageError naming `source` and what it should have been.
template <typename Reader>
EvpPkeyPtr read_ed25519_pem(std::string_view pem, const std::string& source, Reader read, std::string_view expected) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkeyPtr key(read(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    (void)openssl_error_text();
    throw UsageError(fmt::format("{} is not {}", source, expected));
  }
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) throw UsageError(fmt::format("{} is not an Ed25519 key", source));
  return key;
}

}  // namespace

PublicKey::PublicKey(EvpPkeyPtr key, std::string source)
    : m_key(std::move(key)), m_keyid(spki_keyid(m_key.get())), m_source(std::move(source)) {}

PublicKey PublicKey::from_pem(std::string_view pem, std::string source) {
  auto key = read_ed25519_pem(pem, "public key " + source, PEM_read_bio_PUBKEY, "a PEM SubjectPublicKeyInfo");
  return PublicKey(std::move(key), std::move(source));
}

PublicKey::PublicKey(const PublicKey& other) : m_keyid(other.m_keyid), m_source(other.m_source) {
  if (other.m_key && EVP_PKEY_up_ref(other.m_key.get()) == 1) m_key.reset(other.m_key.get());
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) *this = PublicKey(other);
  return *this;
}

PublicKey PublicKey::load(const std::filesystem::path& path) {
  return from_pem(read_small_file(path, k_max_key_file), path.string());
}

std::string PublicKey::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1)
    throw Error("cannot encode public key: " + openssl_error_text());
  return bio_to_string(bio.get());
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1)
    throw Error("cannot initialise signature check: " + openssl_error_text());
  const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (rc != 1) (void)openssl_error_text();
  return rc == 1;
}

SigningKey SigningKey::generate() {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw Error("cannot generate an Ed25519 key: " + openssl_error_text());
  return SigningKey(EvpPkeyPtr(raw));
}

SigningKey SigningKey::from_pem(std::string_view pem, std::string source) {
  return SigningKey(
      read_ed25519_pem(pem, "private key " + source, PEM_read_bio_PrivateKey, "an unencrypted PKCS#8 PEM key"));
}

SigningKey SigningKey::load(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    throw UsageError("private key " + path.string() + " is readable by group or others; run: chmod 600 " +
                     path.string());
  return from_pem(read_small_file(path, k_max_key_file), path.string());
}

std::string SigningKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw Error("cannot encode private key: " + openssl_error_text());
  return bio_to_string(bio.get());
}

PublicKey SigningKey::public_key() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1)
    throw Error("cannot encode public key: " + openssl_error_text());
  return PublicKey::from_pem(bio_to_string(bio.get()), "(generated)");
}

std::string SigningKey::keyid() const { return spki_keyid(m_key.get()); }

std::string SigningKey::sign(std::string_view message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1)
    throw Error("cannot initialise signing: " + openssl_error_text());
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw Error("cannot sign: " + openssl_error_text());
  sig.resize(len);
  return sig;
}

}  // namespace airlock
