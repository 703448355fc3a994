#include "formats/trust_policy.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/yaml_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_policy = 256 * 1024;

}  // namespace

TrustPolicy TrustPolicy::load(const std::filesystem::path& path) {
  const YAML::Node root = load_yaml_file(path, k_max_policy);
  if (!root.IsMap()) throw UsageError(fmt::format("{}: a trust policy must be a YAML mapping", path.string()));
  refuse_unknown_keys(path, root, {"threshold", "keys"});

  TrustPolicy policy;
  policy.source = path.string();
  const auto keys = root["keys"];
  if (!keys || !keys.IsSequence() || keys.size() == 0)
    throw UsageError(fmt::format("{}: \"keys\" must list at least one key", path.string()));
  std::set<std::string> seen;
  for (const auto& entry : keys) {
    if (!entry.IsMap())
      throw UsageError(
          fmt::format("{}: a key must be a mapping with \"path\" (and \"expires\")", yaml_where(path, entry)));
    refuse_unknown_keys(path, entry, {"path", "expires"});
    if (!entry["path"]) throw UsageError(fmt::format("{}: a key needs \"path\"", yaml_where(path, entry)));
    std::filesystem::path key_path = yaml_scalar(path, entry["path"], "path");
    if (key_path.is_relative()) key_path = path.parent_path() / key_path;
    const auto load = [&] {
      try {
        return PublicKey::load(key_path);
      } catch (const UsageError& e) {
        throw UsageError(fmt::format("{}: {}", yaml_where(path, entry["path"]), e.what()));
      }
    };
    PolicyKey k{load(), std::nullopt};
    if (!seen.insert(k.key.keyid()).second)
      throw UsageError(fmt::format("{}: key {} ({}) is listed twice", yaml_where(path, entry["path"]), k.key.keyid(),
                                   key_path.string()));
    if (entry["expires"]) {
      const auto when = yaml_scalar(path, entry["expires"], "expires");
      k.expires = parse_utc(when);
      if (!k.expires)
        throw UsageError(
            fmt::format("{}: expires \"{}\" is not YYYY-MM-DDTHH:MM:SSZ", yaml_where(path, entry["expires"]), when));
    }
    policy.keys.push_back(std::move(k));
  }
  if (root["threshold"]) {
    const auto node = root["threshold"];
    const auto value = yaml_scalar(path, node, "threshold");
    std::size_t n = 0;
    try {
      std::size_t used = 0;
      const long long v = std::stoll(value, &used);
      if (used != value.size() || v < 1) throw std::invalid_argument(value);
      n = static_cast<std::size_t>(v);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("{}: threshold \"{}\" must be a positive integer", yaml_where(path, node), value));
    }
    if (n > policy.keys.size())
      throw UsageError(fmt::format("{}: threshold {} is more than the {} keys listed", yaml_where(path, node), n,
                                   policy.keys.size()));
    policy.threshold = n;
  }
  return policy;
}

TrustPolicy TrustPolicy::from_pubkeys(const std::vector<std::filesystem::path>& pubkeys) {
  TrustPolicy policy;
  policy.source = "--pubkey";
  for (const auto& p : pubkeys) policy.keys.push_back({PublicKey::load(p), std::nullopt});
  return policy;
}

TrustPolicy::Current TrustPolicy::keys_at(std::int64_t now) const {
  Current c;
  for (const auto& k : keys) {
    if (k.expires && now >= *k.expires)
      c.expired.push_back(fmt::format("{} ({}) expired at {}", k.key.keyid(), k.key.source(), format_utc(*k.expires)));
    else
      c.keys.push_back(k.key);
  }
  return c;
}

}  // namespace airlock
