#include "formats/image_discovery.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <regex>

namespace airlock {
namespace {

// Registry-qualified and tagged or pinned: "quay.io/org/app:1.2",
// "localhost:5000/x@sha256:...". Bare words like "nginx" in free text are
// too common to flag.
bool looks_like_image(const std::string& s) {
  static const std::regex re(
      "(?:[a-z0-9-]+(?:\\.[a-z0-9-]+)+|localhost)(?::[0-9]{1,5})?/[a-z0-9._/-]+"
      "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})");
  return s.size() < 512 && std::regex_match(s, re);
}

class Walker {
public:
  Walker(std::string_view file, DiscoveryResult& out) : m_file(file), m_out(out) {}

  void document(const YAML::Node& doc) {
    if (!doc.IsMap()) return;
    const auto kind = scalar_or(doc["kind"], "");
    if (kind == "CustomResourceDefinition") return;
    std::string name;
    if (doc["metadata"] && doc["metadata"].IsMap()) name = scalar_or(doc["metadata"]["name"], "");
    walk(doc, kind.empty() ? "(no kind)" : kind + (name.empty() ? "" : "/" + name), "");
  }

private:
  static std::string scalar_or(const YAML::Node& n, const std::string& fallback) {
    return n && n.IsScalar() ? n.Scalar() : fallback;
  }

  std::string where(const YAML::Node& n) const { return fmt::format("{}:{}", m_file, n.Mark().line + 1); }

  void walk(const YAML::Node& node, const std::string& object, const std::string& path) {
    if (node.IsMap()) {
      for (const auto& kv : node) {
        const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
        const auto child = path.empty() ? key : path + "." + key;
        if (key == "image" && kv.second.IsScalar()) {
          image_field(kv.second, object, child);
          continue;
        }
        walk(kv.second, object, child);
      }
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) walk(node[i], object, fmt::format("{}[{}]", path, i));
    } else if (node.IsScalar()) {
      const auto& s = node.Scalar();
      if (looks_like_image(s)) {
        if (auto ref = ImageReference::try_parse(s))
          m_out.warnings.push_back({s, *ref, where(node), object + " " + path, static_cast<std::size_t>(node.Mark().pos)});
      }
    }
  }

  void image_field(const YAML::Node& value, const std::string& object, const std::string& path) {
    const auto& s = value.Scalar();
    if (s.empty()) return;
    if (auto ref = ImageReference::try_parse(s)) {
      m_out.images.push_back({s, *ref, where(value), object + " " + path, static_cast<std::size_t>(value.Mark().pos)});
    } else {
      m_out.errors.push_back(fmt::format("{}: {} {}: \"{}\" is not an image reference", where(value), object,
                                         path, s));
    }
  }

  std::string_view m_file;
  DiscoveryResult& m_out;
};

}  // namespace

DiscoveryResult discover_images(std::string_view yaml, std::string_view file) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  DiscoveryResult result;
  Walker walker(file, result);
  for (const auto& doc : docs) walker.document(doc);
  return result;
}

}  // namespace airlock
