#include "formats/release_spec.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/timestamp.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <set>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_spec = 1024 * 1024;

std::string at(const std::filesystem::path& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path.string(), node.Mark().line + 1);
}

std::string scalar(const std::filesystem::path& path, const YAML::Node& node, const char* key) {
  if (!node.IsScalar())
    throw UsageError(fmt::format("{}: \"{}\" must be a string", at(path, node), key));
  return node.as<std::string>();
}

SpecExpiry parse_expiry(const std::filesystem::path& path, const YAML::Node& node) {
  const auto text = scalar(path, node, "expires");
  static const std::regex relative("([0-9]{1,5})([dh])");
  std::smatch m;
  SpecExpiry e;
  if (std::regex_match(text, m, relative)) {
    const std::int64_t n = std::stoll(m[1].str());
    e.seconds = n * (m[2].str() == "d" ? 86400 : 3600);
    if (*e.seconds <= 0)
      throw UsageError(fmt::format("{}: expires must be in the future of creation", at(path, node)));
    return e;
  }
  e.at = parse_utc(text);
  if (!e.at)
    throw UsageError(fmt::format(
        "{}: expires \"{}\" is neither YYYY-MM-DDTHH:MM:SSZ nor a duration like 45d or 12h",
        at(path, node), text));
  return e;
}

}  // namespace

bool is_valid_release_name(std::string_view name) {
  static const std::regex re("[a-z0-9][a-z0-9._-]{0,62}");
  return std::regex_match(name.begin(), name.end(), re) && name.find("..") == std::string_view::npos;
}

ReleaseSpec load_release_spec(const std::filesystem::path& path) {
  const std::string text = read_small_file(path, k_max_spec);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", path.string(), e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw UsageError(fmt::format("{}: the spec must be a YAML mapping", path.string()));

  static const std::set<std::string> known{"name",   "version", "sequence",  "expires", "manifests",
                                           "images", "mirrors", "platforms", "values"};
  for (const auto& kv : root) {
    const auto key = scalar(path, kv.first, "key");
    if (!known.contains(key))
      throw UsageError(fmt::format("{}: unknown key \"{}\" (known: name, version, sequence, expires, "
                                   "manifests, images, mirrors, platforms, values)",
                                   at(path, kv.first), key));
  }
  for (const char* key : {"name", "version", "sequence"})
    if (!root[key]) throw UsageError(fmt::format("{}: \"{}\" is required", path.string(), key));

  ReleaseSpec spec;
  spec.path = path;
  spec.dir = path.parent_path();  // empty: relative paths stay as written
  spec.name = scalar(path, root["name"], "name");
  if (!is_valid_release_name(spec.name))
    throw UsageError(fmt::format("{}: release name \"{}\" must match [a-z0-9][a-z0-9._-]* (it "
                                 "becomes a directory in git)",
                                 at(path, root["name"]), spec.name));
  spec.version = scalar(path, root["version"], "version");
  static const std::regex version_re("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  if (!std::regex_match(spec.version, version_re))
    throw UsageError(fmt::format("{}: version \"{}\" may hold only letters, digits and . _ + -",
                                 at(path, root["version"]), spec.version));
  const auto seq = scalar(path, root["sequence"], "sequence");
  static const std::regex seq_re("[1-9][0-9]{0,17}");
  if (!std::regex_match(seq, seq_re))
    throw UsageError(fmt::format("{}: sequence \"{}\" must be a positive integer",
                                 at(path, root["sequence"]), seq));
  spec.sequence = std::stoull(seq);
  if (root["expires"]) spec.expires = parse_expiry(path, root["expires"]);

  if (const auto manifests = root["manifests"]) {
    if (!manifests.IsSequence())
      throw UsageError(fmt::format("{}: manifests must be a list of files or directories", at(path, manifests)));
    for (const auto& m : manifests) {
      SpecManifests entry;
      entry.where = at(path, m);
      if (m.IsScalar()) {
        entry.path = m.Scalar();
      } else if (m.IsMap()) {
        for (const auto& kv : m) {
          const auto key = scalar(path, kv.first, "key");
          if (key != "git" && key != "ref" && key != "path")
            throw UsageError(fmt::format("{}: unknown manifests key \"{}\" (known: git, ref, path)", at(path, kv.first), key));
        }
        if (!m["git"] || !m["ref"])
          throw UsageError(fmt::format("{}: a git manifests entry needs git: URL and ref: TAG-OR-COMMIT", entry.where));
        entry.git = scalar(path, m["git"], "git");
        entry.ref = scalar(path, m["ref"], "ref");
        entry.path = m["path"] ? scalar(path, m["path"], "path") : "";
      } else {
        throw UsageError(fmt::format("{}: a manifests entry is a path or {{git, ref, path}}", entry.where));
      }
      spec.manifests.push_back(std::move(entry));
    }
  }
  if (const auto images = root["images"]) {
    if (!images.IsSequence())
      throw UsageError(fmt::format("{}: images must be a list", at(path, images)));
    for (const auto& i : images) {
      SpecImage img;
      img.where = at(path, i);
      if (i.IsScalar()) {
        img.source = i.as<std::string>();
      } else if (i.IsMap()) {
        for (const auto& kv : i) {
          const auto key = scalar(path, kv.first, "key");
          if (key != "source" && key != "name")
            throw UsageError(fmt::format("{}: unknown image key \"{}\" (known: source, name)",
                                         at(path, kv.first), key));
        }
        if (!i["source"]) throw UsageError(fmt::format("{}: image has no source", img.where));
        img.source = scalar(path, i["source"], "source");
        if (i["name"]) img.name = scalar(path, i["name"], "name");
      } else {
        throw UsageError(fmt::format("{}: an image is a reference or {{source, name}}", img.where));
      }
      spec.images.push_back(std::move(img));
    }
  }
  if (const auto mirrors = root["mirrors"]) {
    if (!mirrors.IsMap())
      throw UsageError(fmt::format("{}: mirrors maps a registry host to where to pull its images", at(path, mirrors)));
    static const std::regex location("[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[a-z0-9._/-]+)?");
    for (const auto& kv : mirrors) {
      const auto from = scalar(path, kv.first, "mirrors");
      const auto to = scalar(path, kv.second, "mirrors");
      if (!std::regex_match(to, location))
        throw UsageError(fmt::format("{}: mirror \"{}\" must be host[:port][/path]", at(path, kv.second), to));
      spec.mirrors[from] = to;
    }
  }
  if (const auto platforms = root["platforms"]) {
    if (!platforms.IsSequence())
      throw UsageError(fmt::format("{}: platforms must be a list like [linux/amd64]", at(path, platforms)));
    static const std::regex platform("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?");
    for (const auto& p : platforms) {
      const auto plat = scalar(path, p, "platforms");
      if (!std::regex_match(plat, platform))
        throw UsageError(fmt::format("{}: platform \"{}\" must be os/arch[/variant]", at(path, p), plat));
      spec.platforms.push_back(plat);
    }
  }
  if (const auto values = root["values"]) {
    if (!values.IsMap())
      throw UsageError(fmt::format("{}: values maps a NAME to {{description: ..., default: ...}}", at(path, values)));
    for (const auto& kv : values) {
      DeclaredValue v;
      v.name = scalar(path, kv.first, "values");
      if (!is_valid_value_name(v.name))
        throw UsageError(fmt::format("{}: value name \"{}\" may hold only letters, digits and _ (not first)",
                                     at(path, kv.first), v.name));
      if (kv.second.IsMap()) {
        for (const auto& field : kv.second) {
          const auto key = scalar(path, field.first, "values");
          if (key == "description") v.description = scalar(path, field.second, "description");
          else if (key == "default") v.default_value = scalar(path, field.second, "default");
          else
            throw UsageError(fmt::format("{}: unknown key \"{}\" of value {} (known: description, default)",
                                         at(path, field.first), key, v.name));
        }
      } else if (!kv.second.IsNull()) {
        throw UsageError(fmt::format("{}: value {}: write {{description: ..., default: ...}} or nothing",
                                     at(path, kv.second), v.name));
      }
      spec.values.push_back(std::move(v));
    }
    std::sort(spec.values.begin(), spec.values.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  return spec;
}

}  // namespace airlock
