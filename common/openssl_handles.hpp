#pragma once
// RAII owners for the OpenSSL objects airlock uses. No other file frees them.

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace airlock {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const noexcept { BIO_free_all(p); }
};
struct X509Deleter {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct X509StoreDeleter {
  void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
// Buffers OpenSSL allocates for its callers (i2d_*, ...).
struct OpensslBytesDeleter {
  void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreDeleter>;
using OpensslBytesPtr = std::unique_ptr<unsigned char, OpensslBytesDeleter>;

}  // namespace airlock
