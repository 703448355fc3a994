#include "formats/trust_policy.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/timestamp.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_policy = 256 * 1024;

std::string at(const std::filesystem::path& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path.string(), node.Mark().line + 1);
}

std::string scalar(const std::filesystem::path& path, const YAML::Node& node, const char* key) {
  if (!node.IsScalar()) throw UsageError(fmt::format("{}: \"{}\" must be a string", at(path, node), key));
  return node.as<std::string>();
}

void refuse_unknown(const std::filesystem::path& path, const YAML::Node& map, const std::set<std::string>& known,
                    const char* known_text) {
  for (const auto& kv : map) {
    const auto key = scalar(path, kv.first, "key");
    if (!known.contains(key))
      throw UsageError(fmt::format("{}: unknown key \"{}\" (known: {})", at(path, kv.first), key, known_text));
  }
}

}  // namespace

TrustPolicy TrustPolicy::load(const std::filesystem::path& path) {
  const std::string text = read_small_file(path, k_max_policy);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", path.string(), e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw UsageError(fmt::format("{}: a trust policy must be a YAML mapping", path.string()));
  refuse_unknown(path, root, {"threshold", "keys"}, "threshold, keys");

  TrustPolicy policy;
  policy.source = path.string();
  const auto keys = root["keys"];
  if (!keys || !keys.IsSequence() || keys.size() == 0)
    throw UsageError(fmt::format("{}: \"keys\" must list at least one key", path.string()));
  std::set<std::string> seen;
  for (const auto& entry : keys) {
    if (!entry.IsMap())
      throw UsageError(fmt::format("{}: a key must be a mapping with \"path\" (and \"expires\")", at(path, entry)));
    refuse_unknown(path, entry, {"path", "expires"}, "path, expires");
    if (!entry["path"]) throw UsageError(fmt::format("{}: a key needs \"path\"", at(path, entry)));
    std::filesystem::path key_path = scalar(path, entry["path"], "path");
    if (key_path.is_relative()) key_path = path.parent_path() / key_path;
    PolicyKey k{PublicKey::load(key_path), std::nullopt};
    if (!seen.insert(k.key.keyid()).second)
      throw UsageError(fmt::format("{}: key {} ({}) is listed twice", at(path, entry["path"]), k.key.keyid(),
                                   key_path.string()));
    if (entry["expires"]) {
      const auto when = scalar(path, entry["expires"], "expires");
      k.expires = parse_utc(when);
      if (!k.expires)
        throw UsageError(fmt::format("{}: expires \"{}\" is not YYYY-MM-DDTHH:MM:SSZ", at(path, entry["expires"]), when));
    }
    policy.keys.push_back(std::move(k));
  }
  if (root["threshold"]) {
    const auto node = root["threshold"];
    const auto value = scalar(path, node, "threshold");
    std::size_t n = 0;
    try {
      std::size_t used = 0;
      const long long v = std::stoll(value, &used);
      if (used != value.size() || v < 1) throw std::invalid_argument(value);
      n = static_cast<std::size_t>(v);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("{}: threshold \"{}\" must be a positive integer", at(path, node), value));
    }
    if (n > policy.keys.size())
      throw UsageError(fmt::format("{}: threshold {} is more than the {} keys listed", at(path, node), n,
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
