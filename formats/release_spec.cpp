#include "formats/release_spec.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"
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
    throw UsageError(fmt::format(
        "{}: expires \"{}\" is neither YYYY-MM-DDTHH:MM:SSZ nor a duration like 45d or 12h",
        yaml_where(path, node), text));
  return e;
}

}  // namespace

bool is_valid_release_name(std::string_view name) {
  static const std::regex re("[a-z0-9][a-z0-9._-]{0,62}");
  return std::regex_match(name.begin(), name.end(), re) && name.find("..") == std::string_view::npos;
}

ReleaseSpec load_release_spec(const std::filesystem::path& path) {
  const YAML::Node root = load_yaml_file(path, k_max_spec);
  if (!root.IsMap()) throw UsageError(fmt::format("{}: the spec must be a YAML mapping", path.string()));

  static const std::set<std::string> known{"name",   "version", "sequence",  "expires", "manifests",
                                           "images", "mirrors", "platforms", "values"};
  for (const auto& kv : root) {
    const auto key = yaml_scalar(path, kv.first, "key");
    if (!known.contains(key))
      throw UsageError(fmt::format("{}: unknown key \"{}\" (known: name, version, sequence, expires, "
                                   "manifests, images, mirrors, platforms, values)",
                                   yaml_where(path, kv.first), key));
  }
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
  static const std::regex version_re("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  if (!std::regex_match(spec.version, version_re))
    throw UsageError(fmt::format("{}: version \"{}\" may hold only letters, digits and . _ + -",
                                 yaml_where(path, root["version"]), spec.version));
  const auto seq = yaml_scalar(path, root["sequence"], "sequence");
  static const std::regex seq_re("[1-9][0-9]{0,17}");
  if (!std::regex_match(seq, seq_re))
    throw UsageError(fmt::format("{}: sequence \"{}\" must be a positive integer",
                                 yaml_where(path, root["sequence"]), seq));
  spec.sequence = std::stoull(seq);
  if (root["expires"]) spec.expires = parse_expiry(path, root["expires"]);

  if (const auto manifests = root["manifests"]) {
    if (!manifests.IsSequence())
      throw UsageError(fmt::format("{}: manifests must be a list of files or directories", yaml_where(path, manifests)));
    for (const auto& m : manifests) {
      SpecManifests entry;
      entry.where = yaml_where(path, m);
      if (m.IsScalar()) {
        entry.path = m.Scalar();
      } else if (m.IsMap()) {
        for (const auto& kv : m) {
          const auto key = yaml_scalar(path, kv.first, "key");
          if (key != "git" && key != "ref" && key != "path")
            throw UsageError(fmt::format("{}: unknown manifests key \"{}\" (known: git, ref, path)", yaml_where(path, kv.first), key));
        }
        if (!m["git"] || !m["ref"])
          throw UsageError(fmt::format("{}: a git manifests entry needs git: URL and ref: TAG-OR-COMMIT", entry.where));
        entry.git = yaml_scalar(path, m["git"], "git");
        entry.ref = yaml_scalar(path, m["ref"], "ref");
        entry.path = m["path"] ? yaml_scalar(path, m["path"], "path") : "";
      } else {
        throw UsageError(fmt::format("{}: a manifests entry is a path or {{git, ref, path}}", entry.where));
      }
      spec.manifests.push_back(std::move(entry));
    }
  }
  if (const auto images = root["images"]) {
    if (!images.IsSequence())
      throw UsageError(fmt::format("{}: images must be a list", yaml_where(path, images)));
    for (const auto& i : images) {
      SpecImage img;
      img.where = yaml_where(path, i);
      if (i.IsScalar()) {
        img.source = i.as<std::string>();
      } else if (i.IsMap()) {
        for (const auto& kv : i) {
          const auto key = yaml_scalar(path, kv.first, "key");
          if (key != "source" && key != "name")
            throw UsageError(fmt::format("{}: unknown image key \"{}\" (known: source, name)",
                                         yaml_where(path, kv.first), key));
        }
        if (!i["source"]) throw UsageError(fmt::format("{}: image has no source", img.where));
        img.source = yaml_scalar(path, i["source"], "source");
        if (i["name"]) img.name = yaml_scalar(path, i["name"], "name");
      } else {
        throw UsageError(fmt::format("{}: an image is a reference or {{source, name}}", img.where));
      }
      spec.images.push_back(std::move(img));
    }
  }
  if (const auto mirrors = root["mirrors"]) {
    if (!mirrors.IsMap())
      throw UsageError(fmt::format("{}: mirrors maps a registry host to where to pull its images", yaml_where(path, mirrors)));
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
      throw UsageError(fmt::format("{}: values maps a NAME to {{description: ..., default: ...}}", yaml_where(path, values)));
    for (const auto& kv : values) {
      DeclaredValue v;
      v.name = yaml_scalar(path, kv.first, "values");
      if (!is_valid_value_name(v.name))
        throw UsageError(fmt::format("{}: value name \"{}\" may hold only letters, digits and _ (not first)",
                                     yaml_where(path, kv.first), v.name));
      if (kv.second.IsMap()) {
        for (const auto& field : kv.second) {
          const auto key = yaml_scalar(path, field.first, "values");
          if (key == "description") v.description = yaml_scalar(path, field.second, "description");
          else if (key == "default") v.default_value = yaml_scalar(path, field.second, "default");
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
