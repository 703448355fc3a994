#include "formats/release_spec.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/names.hpp"
#include "formats/yaml_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <set>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_spec = 1024 * 1024;

SpecExpiry parse_expiry(const std::filesystem::path& path, const YAML::Node& node) {
  const auto text = yaml_scalar(path, node, "expires");
  static const std::regex relative("([0-9]{1,5})([dh])");
  std::smatch m;
  SpecExpiry e;
  if (std::regex_match(text, m, relative)) {
    const std::int64_t n = std::stoll(m[1].str());
    e.seconds = n * (m[2].str() == "d" ? 86400 : 3600);
    if (*e.seconds <= 0)
      throw UsageError(fmt::format("{}: expires must be in the future of creation", yaml_where(path, node)));
    return e;
  }
  e.at = parse_utc(text);
  if (!e.at)
    throw UsageError(fmt::format("{}: expires \"{}\" is neither YYYY-MM-DDTHH:MM:SSZ nor a duration like 45d or 12h",
                                 yaml_where(path, node), text));
  return e;
}

// The items of an optional list; UsageError `not_a_list` for anything else.
std::vector<YAML::Node> list_items(const std::filesystem::path& path, const YAML::Node& node,
                                   std::string_view not_a_list) {
  if (!node) return {};
  if (!node.IsSequence()) throw UsageError(fmt::format("{}: {}", yaml_where(path, node), not_a_list));
  return {node.begin(), node.end()};
}

// True for a scalar item, false for a mapping of `known` keys (anything
// else is refused with `neither`).
bool scalar_item(const std::filesystem::path& path, const YAML::Node& item,
                 std::initializer_list<std::string_view> known, std::string_view key_what, std::string_view neither) {
  if (item.IsScalar()) return true;
  if (!item.IsMap()) throw UsageError(fmt::format("{}: {}", yaml_where(path, item), neither));
  refuse_unknown_keys(path, item, known, key_what);
  return false;
}

// kustomize: ENTRY, a directory inside the item: relative, normalised, no "..".
std::string kustomize_entry(const std::filesystem::path& path, const YAML::Node& node) {
  const auto text = yaml_scalar(path, node, "kustomize");
  const auto normal = std::filesystem::path(text).lexically_normal().generic_string();
  std::string entry = normal == "." ? "" : normal;
  while (entry.ends_with('/')) entry.pop_back();
  if (text.empty() || text.starts_with('/') || entry == ".." || entry.starts_with("../") ||
      !unsafe_path_reason(entry.empty() ? "x" : entry).empty())
    throw UsageError(fmt::format("{}: kustomize: \"{}\" must be a directory inside the manifests entry (relative, no "
                                 "\"..\")",
                                 yaml_where(path, node), text));
  return entry;
}

}  // namespace

ReleaseSpec load_release_spec(const std::filesystem::path& path) {
  const YAML::Node root = load_yaml_file(path, k_max_spec);
  if (!root.IsMap()) throw UsageError(fmt::format("{}: the spec must be a YAML mapping", path.string()));

  refuse_unknown_keys(path, root,
                      {"name", "version", "sequence", "expires", "manifests", "images", "mirrors", "platforms",
                       "values"});
  for (const char* key : {"name", "version", "sequence"})
    if (!root[key]) throw UsageError(fmt::format("{}: \"{}\" is required", path.string(), key));

  ReleaseSpec spec;
  spec.path = path;
  spec.dir = path.parent_path();  // empty: relative paths stay as written
  spec.name = yaml_scalar(path, root["name"], "name");
  if (!is_valid_release_name(spec.name))
    throw UsageError(fmt::format("{}: release name \"{}\" must match [a-z0-9][a-z0-9._-]* (it "
                                 "becomes a directory in git)",
                                 yaml_where(path, root["name"]), spec.name));
  spec.version = yaml_scalar(path, root["version"], "version");
  if (!is_valid_release_version(spec.version))
    throw UsageError(fmt::format("{}: version \"{}\" may hold only letters, digits and . _ + -",
                                 yaml_where(path, root["version"]), spec.version));
  const auto seq = yaml_scalar(path, root["sequence"], "sequence");
  static const std::regex seq_re("[1-9][0-9]{0,17}");
  if (!std::regex_match(seq, seq_re))
    throw UsageError(
        fmt::format("{}: sequence \"{}\" must be a positive integer", yaml_where(path, root["sequence"]), seq));
  spec.sequence = std::stoull(seq);
  if (root["expires"]) spec.expires = parse_expiry(path, root["expires"]);

  for (const auto& m : list_items(path, root["manifests"], "manifests must be a list of files or directories")) {
    SpecManifests entry;
    entry.where = yaml_where(path, m);
    if (scalar_item(path, m, {"git", "ref", "path", "kustomize"}, "manifests key",
                    "a manifests entry is a path, {path, kustomize} or {git, ref, path, kustomize}")) {
      entry.path = m.Scalar();
    } else if (!m["git"] && !m["ref"]) {
      if (!m["path"]) throw UsageError(fmt::format("{}: a manifests entry without git: needs path:", entry.where));
      entry.path = yaml_scalar(path, m["path"], "path");
    } else {
      if (!m["git"] || !m["ref"])
        throw UsageError(fmt::format("{}: a git manifests entry needs git: URL and ref: TAG-OR-COMMIT", entry.where));
      entry.git = yaml_scalar(path, m["git"], "git");
      entry.ref = yaml_scalar(path, m["ref"], "ref");
      entry.path = m["path"] ? yaml_scalar(path, m["path"], "path") : "";
    }
    if (m.IsMap() && m["kustomize"]) {
      entry.kustomize = kustomize_entry(path, m["kustomize"]);
      entry.kustomize_where = yaml_where(path, m["kustomize"]);
    }
    spec.manifests.push_back(std::move(entry));
  }
  for (const auto& i : list_items(path, root["images"], "images must be a list")) {
    SpecImage img;
    img.where = yaml_where(path, i);
    if (scalar_item(path, i, {"source", "name"}, "image key", "an image is a reference or {source, name}")) {
      img.source = i.Scalar();
    } else {
      if (!i["source"]) throw UsageError(fmt::format("{}: image has no source", img.where));
      img.source = yaml_scalar(path, i["source"], "source");
      if (i["name"]) img.name = yaml_scalar(path, i["name"], "name");
    }
    spec.images.push_back(std::move(img));
  }
  if (const auto mirrors = root["mirrors"]) {
    if (!mirrors.IsMap())
      throw UsageError(
          fmt::format("{}: mirrors maps a registry host to where to pull its images", yaml_where(path, mirrors)));
    static const std::regex location("[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[a-z0-9._/-]+)?");
    for (const auto& kv : mirrors) {
      const auto from = yaml_scalar(path, kv.first, "mirrors");
      const auto to = yaml_scalar(path, kv.second, "mirrors");
      if (!std::regex_match(to, location))
        throw UsageError(fmt::format("{}: mirror \"{}\" must be host[:port][/path]", yaml_where(path, kv.second), to));
      spec.mirrors[from] = to;
    }
  }
  if (const auto platforms = root["platforms"]) {
    if (!platforms.IsSequence())
      throw UsageError(fmt::format("{}: platforms must be a list like [linux/amd64]", yaml_where(path, platforms)));
    static const std::regex platform("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?");
    for (const auto& p : platforms) {
      const auto plat = yaml_scalar(path, p, "platforms");
      if (!std::regex_match(plat, platform))
        throw UsageError(fmt::format("{}: platform \"{}\" must be os/arch[/variant]", yaml_where(path, p), plat));
      spec.platforms.push_back(plat);
    }
  }
  if (const auto values = root["values"]) {
    if (!values.IsMap())
      throw UsageError(
          fmt::format("{}: values maps a NAME to {{description: ..., default: ...}}", yaml_where(path, values)));
    for (const auto& kv : values) {
      DeclaredValue v;
      v.name = yaml_scalar(path, kv.first, "values");
      if (!is_valid_value_name(v.name))
        throw UsageError(fmt::format("{}: value name \"{}\" may hold only letters, digits and _ (not first)",
                                     yaml_where(path, kv.first), v.name));
      if (kv.second.IsMap()) {
        for (const auto& field : kv.second) {
          const auto key = yaml_scalar(path, field.first, "values");
          if (key == "description")
            v.description = yaml_scalar(path, field.second, "description");
          else if (key == "default")
            v.default_value = yaml_scalar(path, field.second, "default");
          else
            throw UsageError(fmt::format("{}: unknown key \"{}\" of value {} (known: description, default)",
                                         yaml_where(path, field.first), key, v.name));
        }
      } else if (!kv.second.IsNull()) {
        throw UsageError(fmt::format("{}: value {}: write {{description: ..., default: ...}} or nothing",
                                     yaml_where(path, kv.second), v.name));
      }
      spec.values.push_back(std::move(v));
    }
    std::sort(spec.values.begin(), spec.values.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  return spec;
}

}  // namespace airlock
