#include "packer/keygen.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "formats/ed25519_key.hpp"

namespace airlock {

KeygenResult keygen(const std::filesystem::path& prefix) {
  KeygenResult r;
  r.private_key = prefix.string() + ".key";
  r.public_key = prefix.string() + ".pub";
  for (const auto& p : {r.private_key, r.public_key})
    if (std::filesystem::exists(p)) throw UsageError(p.string() + " already exists; refusing to overwrite a key");
  const SigningKey key = SigningKey::generate();
  AtomicFile priv(r.private_key, 0600);
  priv.write(key.private_pem());
  AtomicFile pub(r.public_key, 0644);
  pub.write(key.public_key().pem());
  priv.commit();
  pub.commit();
  r.keyid = key.keyid();
  return r;
}

}  // namespace airlock
