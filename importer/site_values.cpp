#include "importer/site_values.hpp"

#include "common/error.hpp"
#include "formats/yaml_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace airlock {

std::map<std::string, std::string> resolve_site_values(const std::vector<DeclaredValue>& declared,
                                                       const std::optional<std::filesystem::path>& file) {
  std::map<std::string, std::string> out;
  for (const auto& d : declared)
    if (d.default_value) out[d.name] = *d.default_value;
  if (!file) return out;
  const auto name = file->string();
  const YAML::Node root = load_yaml_file(*file, k_max_values_file);
  if (root.IsNull()) return out;
  if (!root.IsMap()) throw UsageError(fmt::format("{}: --values must be a mapping NAME: value", name));
  for (const auto& kv : root) {
    const auto where = yaml_where(*file, kv.first);
    const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (std::none_of(declared.begin(), declared.end(), [&](const auto& d) { return d.name == key; })) {
      std::string names;
      for (const auto& d : declared) names += (names.empty() ? "" : ", ") + d.name;
      throw UsageError(fmt::format("{}: \"{}\" is not a value this release declares (it declares: {})", where, key,
                                   names.empty() ? "none" : names));
    }
    if (!kv.second.IsScalar()) throw UsageError(fmt::format("{}: the value of {} must be text", where, key));
    const auto& value = kv.second.Scalar();
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      throw UsageError(fmt::format("{}: the value of {} must be one line without control characters", where, key));
    out[key] = value;
  }
  return out;
}

std::string substitute_values(std::string_view text, std::string_view file, const std::vector<DeclaredValue>& declared,
                              const std::map<std::string, std::string>& values,
                              const std::optional<std::filesystem::path>& values_file) {
  std::string out;
  std::size_t at = 0;
  for (const auto& p : find_placeholders(text, file)) {
    const auto it = values.find(p.name);
    if (it == values.end()) {
      const auto d = std::find_if(declared.begin(), declared.end(), [&](const auto& v) { return v.name == p.name; });
      if (d == declared.end())
        throw UsageError(fmt::format("{}:{}: ${{airlock:{}}} is not declared by the release", file, p.line, p.name));
      throw UsageError(fmt::format("{}:{}: ${{airlock:{}}} has no value{}: give it in {}", file, p.line, p.name,
                                   d->description.empty() ? "" : " (" + d->description + ")",
                                   values_file ? values_file->string() : std::string("a --values file")));
    }
    out.append(text.substr(at, p.offset - at));
    out.append(it->second);
    at = p.offset + p.length;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace airlock
