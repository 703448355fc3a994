// DsseEnvelope::parse on JSON, then the checks an envelope meets on import:
// the payload type, and dsse_verify() against a fixed key that never signed
// anything the fuzzer can see, so it must refuse (VerificationError).
// Property: a parsed envelope's own JSON parses to the same envelope.

#include "formats/dsse_envelope.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

namespace {

const PublicKey& trusted_key() {
  static const PublicKey key = [] {
    const auto signing = SigningKey::generate();
    return signing.public_key();
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::refusals_expected([&] {
    const auto env = DsseEnvelope::parse(fuzz::as_text(data, size), "fuzz.dsse.json");
    const auto again = DsseEnvelope::parse(env.to_json(), "again.dsse.json");
    fuzz::check(again.payload_type == env.payload_type && again.payload == env.payload &&
                    again.signatures.size() == env.signatures.size(),
                "an envelope changes through its own JSON");
    for (std::size_t i = 0; i < env.signatures.size(); ++i)
      fuzz::check(again.signatures[i].keyid == env.signatures[i].keyid &&
                      again.signatures[i].sig == env.signatures[i].sig,
                  "a signature changes through the envelope's JSON");
    fuzz::refusals_expected([&] { dsse_check_payload_type(env, "fuzz.dsse.json"); });
    (void)dsse_pae(env.payload_type, env.payload);
    bool refused = false;
    try {
      (void)dsse_verify(env, {trusted_key()}, 1, "fuzz.dsse.json");
    } catch (const VerificationError&) {
      refused = true;
    }
    fuzz::check(refused, "dsse_verify() accepted an envelope the trusted key never signed");
  });
  return 0;
}
