#include "formats/dsse_envelope.hpp"

#include "../error_matcher.hpp"
#include "common/base64.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

using namespace airlock;
using airlock::test::FailsWith;
using nlohmann::json;

namespace {

const std::string k_type(k_bundle_payload_type);

struct Keys {
  SigningKey a = SigningKey::generate();
  SigningKey b = SigningKey::generate();
};

// PublicKey is move-only, so no initializer lists.
std::vector<PublicKey> trust(std::initializer_list<const SigningKey*> keys) {
  std::vector<PublicKey> out;
  for (const auto* k : keys) out.push_back(k->public_key());
  return out;
}

}  // namespace

TEST_CASE("DSSE PAE is the spec's encoding", "[dsse]") {
  // The example from the DSSE protocol document.
  CHECK(dsse_pae("http://example.com/HelloWorld", "hello world") ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  CHECK(dsse_pae("", "") == "DSSEv1 0  0 ");
  // Lengths count bytes, not characters, and the body is binary safe.
  CHECK(dsse_pae("t", "\xc3\xa9") == "DSSEv1 1 t 2 \xc3\xa9");
  CHECK(dsse_pae("t", std::string("a\0b", 3)) == std::string("DSSEv1 1 t 3 a\0b", 16));
  CHECK(dsse_pae(k_type, "{}") == "DSSEv1 38 application/vnd.airlock.bundle.v1+json 2 {}");
}

TEST_CASE("dsse_sign signs the PAE and the envelope round-trips through JSON", "[dsse]") {
  Keys k;
  const std::string payload = "{\"formatVersion\": 1}\n";
  const auto env = dsse_sign(k_type, payload, {&k.a, &k.b});
  REQUIRE(env.signatures.size() == 2);
  CHECK(env.signatures[0].keyid == k.a.keyid());
  CHECK(env.signatures[1].keyid == k.b.keyid());
  // What an auditor checks with openssl: the raw signature over the PAE.
  CHECK(k.a.public_key().verify(dsse_pae(k_type, payload), env.signatures[0].sig));
  CHECK_FALSE(k.a.public_key().verify(payload, env.signatures[0].sig));

  const auto text = env.to_json();
  const auto j = json::parse(text);
  CHECK(j["payloadType"] == k_type);
  CHECK(j["payload"] == base64_encode(payload));
  REQUIRE(j["signatures"].size() == 2);
  CHECK(j["signatures"][0]["keyid"] == k.a.keyid());
  CHECK(j["signatures"][0]["sig"] == base64_encode(env.signatures[0].sig));

  const auto back = DsseEnvelope::parse(text, "bundle.dsse.json");
  CHECK(back.payload_type == k_type);
  CHECK(back.payload == payload);
  REQUIRE(back.signatures.size() == 2);
  CHECK(back.signatures[1].keyid == k.b.keyid());
  CHECK(back.signatures[1].sig == env.signatures[1].sig);
  CHECK(back.to_json() == text);
}

TEST_CASE("dsse_verify accepts trusted signatures and says whose", "[dsse]") {
  Keys k;
  const auto env = dsse_sign(k_type, "index", {&k.a});
  const auto decision = dsse_verify(env, trust({&k.a}), 1, "b.tar.zst");
  CHECK(decision.signer_keyids == std::vector<std::string>{k.a.keyid()});
  CHECK(decision.trusted_keyids == std::vector<std::string>{k.a.keyid()});
  CHECK(decision.trusted_sources == std::vector<std::string>{"(generated)"});

  // A keyid is only a hint: an empty one means try every trusted key.
  auto anonymous = env;
  anonymous.signatures[0].keyid.clear();
  const auto d2 = dsse_verify(anonymous, trust({&k.b, &k.a}), 1, "b");
  CHECK(d2.trusted_keyids == std::vector<std::string>{k.a.keyid()});
  CHECK(d2.signer_keyids == std::vector<std::string>{"(no keyid)"});
}

TEST_CASE("dsse_verify rejects the wrong key, naming signers and trusted keys", "[dsse]") {
  Keys k;
  const auto env = dsse_sign(k_type, "index", {&k.a});
  REQUIRE_THROWS_MATCHES(dsse_verify(env, trust({&k.b}), 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification,
                                   {"b.tar.zst", "not signed by a trusted key", k.a.keyid(), k.b.keyid()}));
  auto unsigned_env = env;
  unsigned_env.signatures.clear();
  REQUIRE_THROWS_MATCHES(dsse_verify(unsigned_env, trust({&k.a}), 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification, {"signed by: nobody"}));
  // A signature that claims a trusted keyid but was made by another key.
  auto forged = dsse_sign(k_type, "index", {&k.b});
  forged.signatures[0].keyid = k.a.keyid();
  REQUIRE_THROWS_MATCHES(dsse_verify(forged, trust({&k.a}), 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification,
                                   {"signature by trusted key " + k.a.keyid(), "does not verify"}));
}

TEST_CASE("dsse_verify rejects a tampered payload, type or signature", "[dsse]") {
  Keys k;
  const auto pub = trust({&k.a});
  const auto env = dsse_sign(k_type, "{\"sequence\": 7}", {&k.a});

  auto payload = env;
  payload.payload = "{\"sequence\": 8}";
  REQUIRE_THROWS_MATCHES(dsse_verify(payload, pub, 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification, {"b.tar.zst", k.a.keyid(), "does not verify"}));

  auto sig = env;
  sig.signatures[0].sig[0] = static_cast<char>(sig.signatures[0].sig[0] ^ 0x80);
  REQUIRE_THROWS_MATCHES(dsse_verify(sig, pub, 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification, {"does not verify"}));

  // The type is signed too; a different one is refused before any key.
  auto type = env;
  type.payload_type = "application/vnd.in-toto+json";
  REQUIRE_THROWS_MATCHES(dsse_verify(type, pub, 1, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification, {"application/vnd.in-toto+json", k_type}));

  REQUIRE_THROWS_MATCHES(dsse_verify(env, {}, 1, "b.tar.zst"), UsageError, FailsWith(ExitCode::usage, {"--pubkey"}));
}

TEST_CASE("dsse_verify counts distinct trusted keys against the threshold", "[dsse]") {
  Keys k;
  const auto trusted = trust({&k.a, &k.b});
  const auto both = dsse_sign(k_type, "index", {&k.a, &k.b});
  CHECK(dsse_verify(both, trusted, 2, "b").trusted_keyids.size() == 2);

  const auto one = dsse_sign(k_type, "index", {&k.a});
  REQUIRE_THROWS_MATCHES(dsse_verify(one, trusted, 2, "b.tar.zst"), VerificationError,
                         FailsWith(ExitCode::verification, {"b.tar.zst", "1 of 2 required"}));
  // The same key twice is still one signer.
  const auto twice = dsse_sign(k_type, "index", {&k.a, &k.a});
  REQUIRE(twice.signatures.size() == 2);
  REQUIRE_THROWS_MATCHES(dsse_verify(twice, trusted, 2, "b"), VerificationError,
                         FailsWith(ExitCode::verification, {"1 of 2 required"}));
  // A threshold of zero never means "trust anything".
  CHECK_THROWS_AS(dsse_verify(one, trusted, 0, "b"), VerificationError);
}

TEST_CASE("DsseEnvelope::parse is strict", "[dsse]") {
  Keys k;
  const auto good = json::parse(dsse_sign(k_type, "x", {&k.a}).to_json());
  const auto rejects = [](const std::string& text, const std::string& why) {
    CAPTURE(text);
    REQUIRE_THROWS_MATCHES(DsseEnvelope::parse(text, "b.tar.zst: bundle.dsse.json"), VerificationError,
                           FailsWith(ExitCode::verification,
                                     {"b.tar.zst: bundle.dsse.json", "invalid DSSE envelope", why}));
  };
  const auto with = [&](const std::function<void(json&)>& change) {
    auto j = good;
    change(j);
    return j.dump();
  };
  rejects("", "not JSON");
  rejects("[1]", "not a JSON object");
  rejects(with([](json& j) { j.erase("payloadType"); }), "no payloadType");
  rejects(with([](json& j) { j["payloadType"] = 1; }), "no payloadType");
  rejects(with([](json& j) { j.erase("payload"); }), "no payload");
  rejects(with([](json& j) { j["payload"] = "eA"; }), "payload is not valid base64");
  rejects(with([](json& j) { j["signatures"] = json::object(); }), "no signatures");
  rejects(with([](json& j) { j["signatures"][0].erase("sig"); }), "a signature has no sig");
  rejects(with([](json& j) { j["signatures"][0]["sig"] = "!!!!"; }), "a sig is not valid base64");
  rejects(with([](json& j) { j["signatures"][0]["keyid"] = 42; }), "a keyid is not a string");
  rejects(with([](json& j) { j["signatures"][0] = "sig"; }), "a signature has no sig");
}
