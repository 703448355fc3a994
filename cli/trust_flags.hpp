#pragma once
// The trust flags verify and import share: --pubkey keys or one policy file.

#include "importer/verify.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace airlock {

struct TrustFlags {
  std::vector<std::string> pubkeys;
  std::string trust_policy;
};

inline void add_trust_flags(CLI::App& cmd, TrustFlags& flags) {
  auto* pubkey = cmd.add_option("--pubkey", flags.pubkeys,
                                "Trusted Ed25519 public key (PEM); repeatable; any one signature suffices");
  cmd.add_option("--trust-policy", flags.trust_policy,
                 "Trust policy file (YAML: keys, threshold m-of-n, per-key expiry) instead of --pubkey")
      ->excludes(pubkey);
}

[[nodiscard]] inline VerifyOptions verify_options(const TrustFlags& flags) {
  VerifyOptions o;
  for (const auto& p : flags.pubkeys) o.pubkeys.emplace_back(p);
  if (!flags.trust_policy.empty()) o.trust_policy = flags.trust_policy;
  return o;
}

}  // namespace airlock
