// TrustPolicy::load() on a policy file's bytes, beside two real public keys
// (a.pub, b.pub), a private key (c.key) and a file that is no key
// (d.pub), which the policy may name.
// Properties: a policy that loads has 1 <= threshold <= keys, and no key
// twice.

#include "formats/trust_policy.hpp"
#include "fuzz/fuzz_support.hpp"

#include <set>

using namespace airlock;

namespace {

const std::filesystem::path& policy_path() {
  static const auto path = [] {
    const auto& dir = fuzz::scratch_dir();
    fuzz::write_file(dir / "a.pub", SigningKey::generate().public_key().pem());
    fuzz::write_file(dir / "b.pub", SigningKey::generate().public_key().pem());
    fuzz::write_file(dir / "c.key", SigningKey::generate().private_pem());
    fuzz::write_file(dir / "d.pub", "not a key\n");
    return dir / "policy.yaml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& path = policy_path();
  fuzz::write_file(path, fuzz::as_text(data, size));
  fuzz::refusals_expected([&] {
    const auto policy = TrustPolicy::load(path);
    fuzz::check(policy.threshold >= 1 && policy.threshold <= policy.keys.size(),
                "a policy's threshold is out of range");
    std::set<std::string> ids;
    for (const auto& k : policy.keys) fuzz::check(ids.insert(k.key.keyid()).second, "a policy lists a key twice");
    (void)policy.keys_at(1700000000);
  });
  return 0;
}
