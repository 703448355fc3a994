#include "formats/image_discovery.hpp"

#include "common/printable.hpp"
#include "formats/reference_scan.hpp"
#include "formats/yaml_scan.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {
namespace {

bool is_key(const YamlPathPart& part, std::string_view key) {
  const auto* s = std::get_if<std::string>(&part);
  return s && *s == key;
}

// ...containers[N].image, initContainers[N].image, ephemeralContainers[N].image
bool is_container_image(const std::vector<YamlPathPart>& path) {
  if (path.size() < 3 || !is_key(path.back(), "image") || !std::holds_alternative<std::size_t>(path[path.size() - 2]))
    return false;
  const auto& list = path[path.size() - 3];
  return is_key(list, "containers") || is_key(list, "initContainers") || is_key(list, "ephemeralContainers");
}

// ...containers[N].image, initContainers[N].image: what kustomize's images
// transformer sets (not ephemeralContainers).
bool is_kustomize_image(const std::vector<YamlPathPart>& path) {
  return is_container_image(path) && !is_key(path[path.size() - 3], "ephemeralContainers");
}

// A finding before its document's kind and name are known, and before its
// place in the file is.
struct Pending {
  FoundImage found;
  std::size_t scalar = 0;      // where its scalar node starts
  std::size_t occurrence = 0;  // which occurrence of `text` in the scalar's value
  enum class Kind { image, embedded, kustomize } kind = Kind::image;
};

class Discovery final : public YamlVisitor {
public:
  Discovery(std::string_view text, std::string_view file, const DiscoveryOptions& options, DiscoveryResult& out)
      : m_text(text), m_file(file), m_options(options), m_out(out) {}

  void document_start() override {
    m_kind.clear();
    m_name.clear();
    m_pending.clear();
    m_errors.clear();
  }

  void scalar(const YamlScalar& s) override {
    m_starts.push_back(s.offset);
    if (s.key) return;
    if (s.path.size() == 1 && is_key(s.path[0], "kind")) m_kind = s.value;
    if (s.path.size() == 2 && is_key(s.path[0], "metadata") && is_key(s.path[1], "name")) m_name = s.value;
    const auto where = fmt::format("{}:{}", m_file, s.line);
    if (!s.path.empty() && is_key(s.path.back(), "image")) return image_field(s, where);
    for (auto& r : references_in_text(s.value)) {
      Pending p{{r.text, std::move(r.reference), where, yaml_path_text(s.path), std::string::npos, false},
                s.offset,
                count_before(s.value, r.text, r.offset),
                Pending::Kind::embedded};
      m_pending.push_back(std::move(p));
    }
  }

  void document_end() override {
    // A CRD's schema has image properties and prose, not images.
    if (m_kind == "CustomResourceDefinition") return;
    const std::string object = m_kind.empty() ? "(no kind)" : m_kind + (m_name.empty() ? "" : "/" + m_name);
    for (auto& p : m_pending) {
      p.found.context = object + " " + p.found.context;
      m_resolved.push_back(std::move(p));
    }
    for (const auto& [where, path, value, error] : m_errors) {
      const auto message =
          fmt::format("{}: {} {}: \"{}\" is not an image reference", where, object, path, printable(value));
      (error ? m_out.errors : m_out.notes).push_back(message);
    }
  }

  // Where each finding's text stands: the same occurrence inside the
  // source of its scalar (which ends where the next scalar starts).
  void resolve() {
    std::sort(m_starts.begin(), m_starts.end());
    for (auto& p : m_resolved) {
      const auto next = std::upper_bound(m_starts.begin(), m_starts.end(), p.scalar);
      const std::size_t end = next == m_starts.end() ? m_text.size() : *next;
      const auto source = m_text.substr(p.scalar, end - p.scalar);
      std::size_t at = source.find(p.found.text, content_start(source));
      for (std::size_t k = 0; k < p.occurrence && at != std::string_view::npos; ++k)
        at = source.find(p.found.text, at + p.found.text.size());
      if (at != std::string_view::npos) p.found.offset = p.scalar + at;
      switch (p.kind) {
        case Pending::Kind::image: m_out.images.push_back(std::move(p.found)); break;
        case Pending::Kind::embedded: m_out.embedded.push_back(std::move(p.found)); break;
        case Pending::Kind::kustomize:
          m_out.kustomize_fields.push_back(
              {std::move(p.found.text), std::move(p.found.where), std::move(p.found.context), p.found.offset});
          break;
      }
    }
  }

private:
  struct FieldError {
    std::string where, path, value;
    bool error;  // a container's image: the pack stops
  };

  // A node's source starts with its properties, an anchor (&name) and a tag
  // (!tag, !<uri>) in either order, each followed by spaces, newlines or
  // comments: a reference written in them is not the scalar's
  // (`image: &nginx nginx`, `image: !org/app:1 org/app:1`).
  static std::size_t content_start(std::string_view source) {
    std::size_t i = 0;
    const auto skip_separation = [&] {
      while (i < source.size()) {
        if (source[i] == ' ' || source[i] == '\t' || source[i] == '\n' || source[i] == '\r') {
          ++i;
        } else if (source[i] == '#') {
          while (i < source.size() && source[i] != '\n') ++i;
        } else {
          break;
        }
      }
    };
    while (i < source.size() && (source[i] == '&' || source[i] == '!')) {
      if (source.substr(i, 2) == "!<") {
        const auto close = source.find('>', i);
        i = close == std::string_view::npos ? source.size() : close + 1;
      } else {
        while (i < source.size() && std::string_view(" \t\r\n,[]{}").find(source[i]) == std::string_view::npos) ++i;
      }
      skip_separation();
    }
    return i;
  }

  static std::size_t count_before(std::string_view value, std::string_view text, std::size_t offset) {
    std::size_t n = 0;
    for (auto at = value.find(text); at != std::string_view::npos && at < offset; at = value.find(text, at + 1)) ++n;
    return n;
  }

  void image_field(const YamlScalar& s, const std::string& where) {
    if (s.value.empty()) return;
    const bool container = is_container_image(s.path);
    if (m_options.kustomize && is_kustomize_image(s.path)) {
      m_pending.push_back({{std::string(s.value), {}, where, yaml_path_text(s.path), std::string::npos, true},
                           s.offset,
                           0,
                           Pending::Kind::kustomize});
      return;
    }
    if (auto ref = ImageReference::try_parse(s.value)) {
      m_pending.push_back(
          {{std::string(s.value), std::move(*ref), where, yaml_path_text(s.path), std::string::npos, container},
           s.offset,
           0,
           Pending::Kind::image});
    } else {
      m_errors.push_back({where, yaml_path_text(s.path), std::string(s.value), container});
    }
  }

  std::string_view m_text;
  std::string_view m_file;
  const DiscoveryOptions& m_options;
  DiscoveryResult& m_out;
  std::string m_kind, m_name;
  std::vector<Pending> m_pending;    // of the current document
  std::vector<FieldError> m_errors;  // of the current document
  std::vector<Pending> m_resolved;   // of every document kept
  std::vector<std::size_t> m_starts;
};

}  // namespace

DiscoveryResult discover_images(std::string_view yaml, std::string_view file, const DiscoveryOptions& options) {
  DiscoveryResult result;
  Discovery discovery(yaml, file, options, result);
  scan_yaml(yaml, file, discovery);
  discovery.resolve();
  return result;
}

}  // namespace airlock
