#pragma once
// The DSSE envelope that is the first entry of a bundle
// (https://github.com/secure-systems-lab/dsse): payloadType, base64 payload,
// and Ed25519 signatures over the pre-authentication encoding (PAE).

#include "formats/ed25519_key.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace airlock {

inline constexpr std::string_view k_bundle_payload_type = "application/vnd.airlock.bundle.v1+json";

struct DsseSignature {
  std::string keyid;
  std::string sig;  // raw bytes, not base64
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // decoded bytes
  std::vector<DsseSignature> signatures;

  [[nodiscard]] std::string to_json() const;
  // Strict parse; throws VerificationError naming `where` on any defect.
  [[nodiscard]] static DsseEnvelope parse(std::string_view json, std::string_view where);
};

// VerificationError naming `where` unless the envelope carries an airlock bundle.
void dsse_check_payload_type(const DsseEnvelope& envelope, std::string_view where);

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
[[nodiscard]] std::string dsse_pae(std::string_view type, std::string_view body);

[[nodiscard]] DsseEnvelope dsse_sign(std::string_view payload_type, std::string payload,
                                     const std::vector<const SigningKey*>& keys);

struct TrustDecision {
  std::vector<std::string> signer_keyids;    // every keyid the envelope names
  std::vector<std::string> trusted_keyids;   // the trusted keys whose signature verified
  std::vector<std::string> trusted_sources;  // where each of those keys came from
  std::size_t threshold = 1;                 // how many were required
  std::string policy = "--pubkey";           // the trust policy file, or "--pubkey"
};

// Accepts when at least `threshold` distinct trusted keys have a valid
// signature. Throws VerificationError that says which keys signed, which are
// trusted and whether a trusted key's signature failed.
[[nodiscard]] TrustDecision dsse_verify(const DsseEnvelope& envelope, const std::vector<PublicKey>& trusted,
                                        std::size_t threshold, std::string_view where);

}  // namespace airlock
