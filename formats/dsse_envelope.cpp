#include "formats/dsse_envelope.hpp"

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/printable.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace airlock {

std::string dsse_pae(std::string_view type, std::string_view body) {
  return fmt::format("DSSEv1 {} {} {} ", type.size(), type, body.size()) + std::string(body);
}

std::string DsseEnvelope::to_json() const {
  nlohmann::ordered_json sigs = nlohmann::ordered_json::array();
  for (const auto& s : signatures) sigs.push_back({{"keyid", s.keyid}, {"sig", base64_encode(s.sig)}});
  nlohmann::ordered_json j;
  j["payloadType"] = payload_type;
  j["payload"] = base64_encode(payload);
  j["signatures"] = sigs;
  return j.dump(2) + "\n";
}

DsseEnvelope DsseEnvelope::parse(std::string_view json, std::string_view where) {
  const auto fail = [&](std::string_view why) {
    return VerificationError(fmt::format("{}: invalid DSSE envelope: {}", where, why));
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("not JSON: ") + e.what());
  }
  if (!j.is_object()) throw fail("not a JSON object");
  if (!j.contains("payloadType") || !j["payloadType"].is_string()) throw fail("no payloadType");
  if (!j.contains("payload") || !j["payload"].is_string()) throw fail("no payload");
  if (!j.contains("signatures") || !j["signatures"].is_array()) throw fail("no signatures");
  DsseEnvelope env;
  env.payload_type = j["payloadType"].get<std::string>();
  auto payload = base64_decode(j["payload"].get<std::string>());
  if (!payload) throw fail("payload is not valid base64");
  env.payload = std::move(*payload);
  for (const auto& s : j["signatures"]) {
    if (!s.is_object() || !s.contains("sig") || !s["sig"].is_string()) throw fail("a signature has no sig");
    DsseSignature sig;
    if (s.contains("keyid")) {
      if (!s["keyid"].is_string()) throw fail("a keyid is not a string");
      sig.keyid = s["keyid"].get<std::string>();
    }
    auto raw = base64_decode(s["sig"].get<std::string>());
    if (!raw) throw fail("a sig is not valid base64");
    sig.sig = std::move(*raw);
    env.signatures.push_back(std::move(sig));
  }
  return env;
}

void dsse_check_payload_type(const DsseEnvelope& envelope, std::string_view where) {
  if (envelope.payload_type != k_bundle_payload_type)
    throw VerificationError(fmt::format("{}: payloadType is \"{}\", expected \"{}\"", where,
                                        printable(envelope.payload_type), k_bundle_payload_type));
}

DsseEnvelope dsse_sign(std::string_view payload_type, std::string payload, const std::vector<const SigningKey*>& keys) {
  DsseEnvelope env;
  env.payload_type = payload_type;
  env.payload = std::move(payload);
  const std::string pae = dsse_pae(env.payload_type, env.payload);
  for (const SigningKey* key : keys) env.signatures.push_back({key->keyid(), key->sign(pae)});
  return env;
}

TrustDecision dsse_verify(const DsseEnvelope& envelope, const std::vector<PublicKey>& trusted, std::size_t threshold,
                          std::string_view where) {
  dsse_check_payload_type(envelope, where);
  if (trusted.empty()) throw UsageError("no trusted public key given (use --pubkey)");
  const std::string pae = dsse_pae(envelope.payload_type, envelope.payload);
  TrustDecision decision;
  std::set<std::string> verified;
  std::vector<std::string> failed;
  for (const auto& sig : envelope.signatures) {
    decision.signer_keyids.push_back(sig.keyid.empty() ? "(no keyid)" : sig.keyid);
    for (const auto& key : trusted) {
      // DSSE's keyid is a hint; an empty one means try every trusted key.
      if (!sig.keyid.empty() && sig.keyid != key.keyid()) continue;
      if (verified.contains(key.keyid())) continue;
      if (key.verify(pae, sig.sig)) {
        verified.insert(key.keyid());
        decision.trusted_keyids.push_back(key.keyid());
        decision.trusted_sources.push_back(key.source());
      } else if (!sig.keyid.empty()) {
        failed.push_back(key.keyid());
      }
    }
  }
  decision.threshold = threshold;
  if (verified.size() >= threshold && threshold > 0) return decision;

  std::string trusted_ids;
  for (const auto& key : trusted) trusted_ids += (trusted_ids.empty() ? "" : ", ") + key.keyid();
  if (!failed.empty())
    throw VerificationError(
        fmt::format("{}: signature by trusted key {} does not verify: the signed index or the signature "
                    "was altered",
                    where, failed.front()));
  std::string signers;
  for (const auto& id : decision.signer_keyids) signers += (signers.empty() ? "" : ", ") + printable(id);
  if (verified.empty())
    throw VerificationError(fmt::format("{}: not signed by a trusted key (signed by: {}; trusted: {})", where,
                                        signers.empty() ? "nobody" : signers, trusted_ids));
  throw VerificationError(fmt::format("{}: {} of {} required trusted signatures", where, verified.size(), threshold));
}

}  // namespace airlock
