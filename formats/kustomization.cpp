#include "formats/kustomization.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/yaml_scan.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

namespace airlock {
namespace {

// Parses the text after checking the limits of formats/yaml_scan.hpp (depth,
// alias expansion), which yaml-cpp's tree does not bound.
class NoVisitor final : public YamlVisitor {
public:
  void document_start() override {}
  void scalar(const YamlScalar&) override {}
  void document_end() override {}
};

YAML::Node load_bounded(std::string_view text, std::string_view file) {
  NoVisitor none;
  scan_yaml(text, file, none);
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", file, e.mark.line + 1, e.msg));
  }
}

std::string where(std::string_view file, const YAML::Node& node) {
  return fmt::format("{}:{}", file, node.Mark().line + 1);
}

// The line of the kustomization where an inline patch's text starts: the
// line after a block scalar's | or >, else the scalar's own line.
std::size_t text_line(std::string_view source, const YAML::Node& node) {
  const auto mark = node.Mark();
  const auto pos = static_cast<std::size_t>(mark.pos);
  const bool block = pos < source.size() && (source[pos] == '|' || source[pos] == '>');
  return static_cast<std::size_t>(mark.line) + (block ? 2 : 1);
}

// kustomize reads its file with YAML 1.1 typing (go-yaml v2): an unquoted
// scalar that is a boolean or a number is not a string, and a string field
// refuses it; null is the empty string.
bool plain_non_string(const YAML::Node& node) {
  if (node.Tag() != "?") return false;
  static const std::regex k_bool("y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex k_int("[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)");
  static const std::regex k_float("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|"
                                  "\\.(nan|NaN|NAN)");
  const auto& s = node.Scalar();
  return std::regex_match(s, k_bool) || std::regex_match(s, k_int) || std::regex_match(s, k_float);
}

std::string text_field(std::string_view file, const YAML::Node& node, std::string_view key) {
  if (!node || node.IsNull()) return {};
  if (!node.IsScalar()) throw UsageError(fmt::format("{}: {} must be a string", where(file, node), key));
  if (plain_non_string(node))
    throw UsageError(fmt::format("{}: {} {} reads as a number or a boolean, which kustomize refuses: quote it",
                                 where(file, node), key, printable(node.Scalar())));
  return node.Scalar();
}

std::vector<YAML::Node> list(std::string_view file, const YAML::Node& node, std::string_view key) {
  if (!node || node.IsNull()) return {};
  if (!node.IsSequence()) throw UsageError(fmt::format("{}: {} must be a list", where(file, node), key));
  return {node.begin(), node.end()};
}

std::vector<KustomizationPath> paths(std::string_view file, const YAML::Node& node, std::string_view key) {
  std::vector<KustomizationPath> out;
  for (const auto& item : list(file, node, key)) {
    if (!item.IsScalar()) throw UsageError(fmt::format("{}: each of {} must be a path", where(file, item), key));
    out.push_back({item.Scalar(), where(file, item)});
  }
  return out;
}

void refuse_unknown(std::string_view file, const YAML::Node& map, std::initializer_list<std::string_view> known,
                    std::string_view what) {
  for (const auto& kv : map) {
    const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string names;
    for (const auto k : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", k);
    throw UsageError(fmt::format("{}: unknown {} key \"{}\" (kustomize knows: {})", where(file, kv.first), what,
                                 printable(key), names));
  }
}

KustomizeImage image_entry(std::string_view file, const YAML::Node& node) {
  if (!node.IsMap())
    throw UsageError(
        fmt::format("{}: an images entry is a mapping {{name, newName, newTag, digest}}", where(file, node)));
  if (node["tagSuffix"])
    throw UsageError(fmt::format("{}: images: tagSuffix is not supported (kustomize applies it once per matching "
                                 "field spec, so the image it deploys depends on the field): use newTag",
                                 where(file, node["tagSuffix"])));
  refuse_unknown(file, node, {"name", "newName", "newTag", "digest"}, "images");
  KustomizeImage img{text_field(file, node["name"], "name"), text_field(file, node["newName"], "newName"),
                     text_field(file, node["newTag"], "newTag"), text_field(file, node["digest"], "digest"),
                     where(file, node)};
  if (const auto why = kustomize_image_name_reason(img.name); !why.empty())
    throw UsageError(fmt::format("{}: images: name \"{}\": {}; airlock follows only plain image names",
                                 where(file, node), printable(img.name), why));
  return img;
}

// patchesStrategicMerge items: a file, or (when it spans lines) the patch itself.
void strategic_merge(std::string_view source, std::string_view file, const YAML::Node& node, Kustomization& k) {
  for (const auto& item : list(file, node, "patchesStrategicMerge")) {
    if (!item.IsScalar())
      throw UsageError(fmt::format("{}: each of patchesStrategicMerge is a file or a patch", where(file, item)));
    KustomizationPatch p;
    p.kind = KustomizationPatch::Kind::strategic_merge;
    if (item.Scalar().find('\n') == std::string::npos) {
      p.path = item.Scalar();
    } else {
      p.text = item.Scalar();
      p.file = file;
      p.line = text_line(source, item);
    }
    p.where = where(file, item);
    k.patches.push_back(std::move(p));
  }
}

void patch_list(std::string_view source, std::string_view file, const YAML::Node& node, std::string_view key,
                KustomizationPatch::Kind kind, Kustomization& k) {
  for (const auto& item : list(file, node, key)) {
    if (!item.IsMap())
      throw UsageError(fmt::format("{}: each of {} is a mapping {{path or patch, target}}", where(file, item), key));
    KustomizationPatch p;
    p.kind = kind;
    p.where = where(file, item);
    if (item["path"]) p.path = text_field(file, item["path"], "path");
    if (item["patch"]) {
      p.text = text_field(file, item["patch"], "patch");
      p.file = file;
      p.line = text_line(source, item["patch"]);
    }
    if (p.path && p.path->empty()) p.path.reset();
    k.patches.push_back(std::move(p));
  }
}

// configMapGenerator and secretGenerator: files ("key=path" or path), envs, env.
void generator_files(std::string_view file, const YAML::Node& node, std::string_view key, Kustomization& k) {
  for (const auto& gen : list(file, node, key)) {
    if (!gen.IsMap()) continue;
    for (auto f : paths(file, gen["files"], std::string(key) + ".files")) {
      if (const auto eq = f.path.find('='); eq != std::string::npos) f.path = f.path.substr(eq + 1);
      k.files.push_back(std::move(f));
    }
    for (auto f : paths(file, gen["envs"], std::string(key) + ".envs")) k.files.push_back(std::move(f));
    if (gen["env"] && gen["env"].IsScalar()) k.files.push_back({gen["env"].Scalar(), where(file, gen["env"])});
  }
}

// A replacement's targets, notes for those that set a field holding "image".
void replacement_targets(std::string_view file, const YAML::Node& replacement, std::vector<std::string>& notes) {
  for (const auto& target : list(file, replacement["targets"], "targets")) {
    if (!target.IsMap()) continue;
    for (const auto& fp : list(file, target["fieldPaths"], "fieldPaths")) {
      if (!fp.IsScalar() || fp.Scalar().find("image") == std::string::npos) continue;
      notes.push_back(fmt::format("{}: a replacement sets {}: the image it copies there is not followed (list it "
                                  "under images: in the spec if the bundle must carry it)",
                                  where(file, fp), printable(fp.Scalar())));
    }
  }
}

}  // namespace

Kustomization parse_kustomization(std::string_view text, std::string_view file) {
  const YAML::Node root = load_bounded(text, file);
  Kustomization k;
  if (!root || root.IsNull()) return k;
  if (!root.IsMap()) throw UsageError(fmt::format("{}: a kustomization must be a YAML mapping", where(file, root)));
  const auto kind = text_field(file, root["kind"], "kind");
  if (kind == "Component")
    k.component = true;
  else if (!kind.empty() && kind != "Kustomization")
    throw UsageError(fmt::format("{}: kind \"{}\" is neither Kustomization nor Component", where(file, root["kind"]),
                                 printable(kind)));
  for (const char* helm : {"helmCharts", "helmChartInflationGenerator"})
    if (root[helm] && !(root[helm].IsSequence() && root[helm].size() == 0))
      throw UsageError(fmt::format("{}: {}: the images of a Helm chart are known only once it is rendered; render it "
                                   "(helm template) into the tree and list the output as resources",
                                   where(file, root[helm]), helm));

  k.resources = paths(file, root["resources"], "resources");
  for (auto& b : paths(file, root["bases"], "bases")) k.resources.push_back(std::move(b));
  k.components = paths(file, root["components"], "components");
  for (const auto& img : list(file, root["images"], "images")) k.images.push_back(image_entry(file, img));
  strategic_merge(text, file, root["patchesStrategicMerge"], k);
  patch_list(text, file, root["patches"], "patches", KustomizationPatch::Kind::detect, k);
  patch_list(text, file, root["patchesJson6902"], "patchesJson6902", KustomizationPatch::Kind::json6902, k);
  generator_files(file, root["configMapGenerator"], "configMapGenerator", k);
  generator_files(file, root["secretGenerator"], "secretGenerator", k);
  for (auto& f : paths(file, root["crds"], "crds")) k.files.push_back(std::move(f));
  k.configurations = paths(file, root["configurations"], "configurations");
  if (const auto openapi = root["openapi"]; openapi && openapi.IsMap() && openapi["path"])
    k.files.push_back({text_field(file, openapi["path"], "openapi.path"), where(file, openapi["path"])});
  for (const auto& r : list(file, root["replacements"], "replacements")) {
    if (!r.IsMap()) continue;
    if (r["path"])
      k.replacements.push_back({text_field(file, r["path"], "path"), where(file, r["path"])});
    else
      replacement_targets(file, r, k.notes);
  }
  for (const char* plugins : {"transformers", "generators"}) {
    for (const auto& item : list(file, root[plugins], plugins)) {
      if (!item.IsScalar()) continue;
      const bool inline_config = item.Scalar().find('\n') != std::string::npos;
      if (!inline_config) k.files.push_back({item.Scalar(), where(file, item)});
      k.notes.push_back(fmt::format("{}: {} plugins are not followed: an image they set or generate is not bundled "
                                    "(list it under images: in the spec if the release needs it)",
                                    where(file, item), plugins));
    }
  }
  for (auto& f : paths(file, root["validators"], "validators"))
    if (f.path.find('\n') == std::string::npos) k.files.push_back(std::move(f));
  return k;
}

std::vector<std::string> replacement_image_notes(std::string_view text, std::string_view file) {
  const YAML::Node root = load_bounded(text, file);
  std::vector<std::string> notes;
  if (!root || !root.IsSequence()) return notes;
  for (const auto& r : root)
    if (r.IsMap()) replacement_targets(file, r, notes);
  return notes;
}

bool configuration_sets_images(std::string_view text, std::string_view file) {
  const YAML::Node root = load_bounded(text, file);
  return root && root.IsMap() && root["images"] && !root["images"].IsNull();
}

}  // namespace airlock

namespace airlock {
namespace {

// "/spec/template/spec/containers/0/image" -> its unescaped tokens (RFC 6901).
std::vector<std::string> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.starts_with('/'))
    pointer.remove_prefix(1);
  else
    return out;
  for (;;) {
    const auto slash = pointer.find('/');
    std::string token(pointer.substr(0, slash));
    for (std::size_t at = 0; (at = token.find('~', at)) != std::string::npos; ++at)
      if (at + 1 < token.size()) token.replace(at, 2, token[at + 1] == '1' ? "/" : "~");
    out.push_back(std::move(token));
    if (slash == std::string_view::npos) return out;
    pointer.remove_prefix(slash + 1);
  }
}

bool is_index_token(std::string_view t) {
  return t == "-" || (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

// ...containers/N/image, as kustomize's images transformer reaches them.
bool sets_kustomize_image(const std::vector<std::string>& tokens) {
  const auto n = tokens.size();
  return n >= 3 && tokens[n - 1] == "image" && is_index_token(tokens[n - 2]) &&
         (tokens[n - 3] == "containers" || tokens[n - 3] == "initContainers");
}

void value_fields(std::string_view file, const YAML::Node& node, std::vector<std::string>& tokens,
                  std::vector<ImageField>& out) {
  if (node.IsScalar()) {
    if (sets_kustomize_image(tokens) && !node.Scalar().empty()) {
      std::string context;
      for (const auto& t : tokens) context += "/" + t;
      out.push_back({node.Scalar(), where(file, node), "patch " + context, std::string::npos});
    }
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) continue;
      tokens.push_back(kv.first.Scalar());
      value_fields(file, kv.second, tokens, out);
      tokens.pop_back();
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      tokens.push_back(std::to_string(i));
      value_fields(file, node[i], tokens, out);
      tokens.pop_back();
    }
  }
}

}  // namespace

bool is_json6902_patch(std::string_view text, std::string_view file) {
  const YAML::Node root = load_bounded(text, file);
  return root && root.IsSequence();
}

std::vector<ImageField> json6902_image_fields(std::string_view text, std::string_view file) {
  const YAML::Node root = load_bounded(text, file);
  std::vector<ImageField> out;
  if (!root || root.IsNull()) return out;
  if (!root.IsSequence())
    throw UsageError(fmt::format("{}: a JSON 6902 patch is a list of operations", where(file, root)));
  for (const auto& op : root) {
    if (!op.IsMap() || !op["op"] || !op["op"].IsScalar() || !op["path"] || !op["path"].IsScalar()) continue;
    if (op["op"].Scalar() != "add" && op["op"].Scalar() != "replace") continue;
    if (!op["value"]) continue;
    auto tokens = pointer_tokens(op["path"].Scalar());
    value_fields(file, op["value"], tokens, out);
  }
  return out;
}

}  // namespace airlock
