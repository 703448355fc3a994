#include "packer/kustomize_build.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/kustomization.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace airlock {
namespace {

bool is_parent_of(const std::string& dir, const std::string& rel) {
  return dir.empty() || rel == dir || rel.starts_with(dir + "/");
}

// What kustomize would fetch: a URL, an scp-like git address, or a
// host/path it reads as a repository (github.com/org/repo//dir?ref=v1).
bool looks_remote(const std::string& path) {
  if (path.find("://") != std::string::npos || path.starts_with("git@") || path.find("?ref=") != std::string::npos ||
      path.find("?version=") != std::string::npos)
    return true;
  const auto slash = path.find('/');
  return slash != std::string::npos && path.substr(0, slash).find('.') != std::string::npos &&
         path.substr(0, slash) != "." && path.substr(0, slash) != "..";
}

class Walk {
public:
  Walk(const KustomizeTree& tree, KustomizeBuild& out) : m_tree(tree), m_out(out) {}

  std::vector<KustomizeImageUse> build(const std::string& dir, const std::string& where) {
    std::vector<KustomizeImageUse> uses;
    accumulate(dir, where, uses);
    return uses;
  }

private:
  enum class Is { missing, file, directory };

  std::string show(const std::string& rel) const { return m_tree.show(rel); }

  // dir + path, normalised; refused when it leaves the tree or is remote.
  std::string resolve(const std::string& dir, const std::string& path, const std::string& where,
                      std::string_view what) const {
    if (path.find("://") != std::string::npos || path.starts_with("git@")) throw remote(path, where, what);
    if (path.empty() || path.starts_with('/'))
      throw UsageError(fmt::format("{}: {} \"{}\" is not a path inside the manifests entry {}", where, what,
                                   printable(path), show("")));
    auto rel = (std::filesystem::path(dir) / path).lexically_normal().generic_string();
    while (rel.ends_with('/')) rel.pop_back();
    if (rel == ".") rel.clear();
    if (rel == ".." || rel.starts_with("../"))
      throw UsageError(fmt::format("{}: {} \"{}\" is outside the manifests entry {}: airlock bundles only what the "
                                   "entry holds",
                                   where, what, printable(path), show("")));
    return rel;
  }

  static UsageError remote(const std::string& path, const std::string& where, std::string_view what) {
    return UsageError(fmt::format("{}: {} \"{}\" is remote: the bundle carries only local files; vendor it into the "
                                  "tree (or list it as a manifests entry of its own) and refer to it by path",
                                  where, what, printable(path)));
  }

  Is kind_of(const std::string& rel, const std::string& where) {
    if (m_tree.files->contains(rel)) return Is::file;
    if (m_tree.is_directory(rel)) return Is::directory;
    if (auto other = m_tree.read_other(rel, where)) {
      m_tree.files->emplace(rel, std::move(*other));
      return Is::file;
    }
    return Is::missing;
  }

  // A file the build reads: in or below the kustomization's directory.
  const std::string& read_file(const std::string& dir, const std::string& path, const std::string& where,
                               std::string_view what) {
    const auto rel = resolve(dir, path, where, what);
    const auto is = kind_of(rel, where);
    if (is == Is::missing) {
      if (looks_remote(path)) throw remote(path, where, what);
      throw UsageError(fmt::format("{}: {} \"{}\": {} does not exist", where, what, printable(path), show(rel)));
    }
    if (is == Is::directory)
      throw UsageError(
          fmt::format("{}: {} \"{}\": {} is a directory, not a file", where, what, printable(path), show(rel)));
    if (!is_parent_of(dir, rel))
      throw UsageError(fmt::format("{}: {} \"{}\" is not in or below {}, which kustomize refuses for a file (reach "
                                   "another directory through its kustomization)",
                                   where, what, printable(path), show(dir)));
    m_out.used.insert(rel);
    return m_tree.files->at(rel);
  }

  const Kustomization& load(const std::string& dir, const std::string& where) {
    if (++m_visits > k_max_kustomizations)
      throw UsageError(
          fmt::format("{}: the build visits more than {} kustomizations: refused", where, k_max_kustomizations));
    if (const auto it = m_cache.find(dir); it != m_cache.end()) return it->second;
    const auto file = kustomization_file(m_tree, dir);
    if (!file)
      throw UsageError(
          fmt::format("{}: {} holds no kustomization.yaml, kustomization.yml or Kustomization", where, show(dir)));
    m_out.used.insert(*file);
    return m_cache.emplace(dir, parse_kustomization(m_tree.files->at(*file), show(*file))).first->second;
  }

  void accumulate(const std::string& dir, const std::string& where, std::vector<KustomizeImageUse>& uses) {
    if (std::find(m_stack.begin(), m_stack.end(), dir) != m_stack.end())
      throw UsageError(fmt::format("{}: {} includes itself (a cycle of resources or components)", where, show(dir)));
    const Kustomization& k = load(dir, where);
    m_stack.push_back(dir);
    for (const auto& r : k.resources) resource(dir, r.path, r.where, uses);
    for (const auto& c : k.components) {
      const auto rel = resolve(dir, c.path, c.where, "component");
      if (kind_of(rel, c.where) != Is::directory) {
        if (looks_remote(c.path)) throw remote(c.path, c.where, "component");
        throw UsageError(
            fmt::format("{}: component \"{}\": {} is not a directory", c.where, printable(c.path), show(rel)));
      }
      if (!load(rel, c.where).component)
        throw UsageError(fmt::format("{}: component \"{}\": {} is a Kustomization, not a Component", c.where,
                                     printable(c.path), show(rel)));
      accumulate(rel, c.where, uses);
    }
    side_files(dir, k);
    for (const auto& p : k.patches) patch(dir, p, uses);
    for (const auto& img : k.images) {
      for (auto& u : uses) {
        auto next = apply_kustomize_image(img, u.value);
        if (next == u.value) continue;
        u.value = std::move(next);
        u.set_by.push_back(img.where);
      }
    }
    m_stack.pop_back();
  }

  void resource(const std::string& dir, const std::string& path, const std::string& where,
                std::vector<KustomizeImageUse>& uses) {
    const auto rel = resolve(dir, path, where, "resource");
    switch (kind_of(rel, where)) {
      case Is::missing:
        if (looks_remote(path)) throw remote(path, where, "resource");
        throw UsageError(fmt::format("{}: resource \"{}\": {} does not exist", where, printable(path), show(rel)));
      case Is::directory: {
        if (load(rel, where).component)
          throw UsageError(fmt::format("{}: resource \"{}\": {} is a Component: list it under components:", where,
                                       printable(path), show(rel)));
        auto inner = build(rel, where);
        uses.insert(uses.end(), std::make_move_iterator(inner.begin()), std::make_move_iterator(inner.end()));
        return;
      }
      case Is::file: {
        const auto& text = read_file(dir, path, where, "resource");
        m_out.resources.insert(rel);
        auto found = discover_images(text, show(rel), {.kustomize = true});
        for (auto& f : found.kustomize_fields) {
          auto value = f.text;
          uses.push_back({std::move(f), std::move(value), {}});
        }
        append(m_out.images, found.images);
        append(m_out.embedded, found.embedded);
        append(m_out.errors, found.errors);
        append(m_out.field_notes, found.notes);
        return;
      }
    }
  }

  // Files the build reads that change no image: bundled; those that might
  // change one without being followed: noted.
  void side_files(const std::string& dir, const Kustomization& k) {
    for (const auto& f : k.files) read_file(dir, f.path, f.where, "file");
    for (const auto& c : k.configurations) {
      const auto& text = read_file(dir, c.path, c.where, "configuration");
      if (configuration_sets_images(text, show(resolve(dir, c.path, c.where, "configuration"))))
        m_out.notes.push_back(fmt::format("{}: configuration \"{}\" extends where images: applies; airlock follows "
                                          "images: in containers and initContainers only",
                                          c.where, printable(c.path)));
    }
    for (const auto& r : k.replacements) {
      const auto& text = read_file(dir, r.path, r.where, "replacements");
      append(m_out.notes, replacement_image_notes(text, show(resolve(dir, r.path, r.where, "replacements"))));
    }
    m_out.notes.insert(m_out.notes.end(), k.notes.begin(), k.notes.end());
  }

  // The image fields a patch sets join the fields the build holds; the
  // transformers after it apply to them as to the others.
  void patch(const std::string& dir, const KustomizationPatch& p, std::vector<KustomizeImageUse>& uses) {
    // An inline patch is read where it stands in its kustomization: its
    // lines are that file's lines.
    std::string shown = p.file;
    std::string inline_text;
    const std::string* text = &inline_text;
    if (p.path) {
      text = &read_file(dir, *p.path, p.where, "patch");
      shown = show(resolve(dir, *p.path, p.where, "patch"));
    } else if (!p.text.empty()) {
      inline_text = std::string(p.line > 0 ? p.line - 1 : 0, '\n') + p.text;
    }
    if (text->empty()) return;
    const bool json = p.kind == KustomizationPatch::Kind::json6902 ||
                      (p.kind == KustomizationPatch::Kind::detect && is_json6902_patch(*text, shown));
    std::vector<ImageField> fields;
    if (json) {
      fields = json6902_image_fields(*text, shown);
    } else {
      auto found = discover_images(*text, shown, {.kustomize = true});
      fields = std::move(found.kustomize_fields);
      for (const auto* list : {&found.images, &found.embedded})
        for (const auto& f : *list)
          m_out.notes.push_back(fmt::format("{}: \"{}\" in a patch ({}): patches are kept as the vendor wrote them, "
                                            "so the import cannot rewrite it; it is not bundled",
                                            f.where, printable(f.text), f.context));
    }
    for (auto& f : fields) {
      f.offset = std::string::npos;  // never rewritten in place
      auto value = f.text;
      uses.push_back({std::move(f), std::move(value), {}});
    }
  }

  template <typename T>
  static void append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  template <typename T>
  static void append(std::vector<T>& to, std::vector<T>&& from) {
    append(to, from);
  }

  const KustomizeTree& m_tree;
  KustomizeBuild& m_out;
  std::map<std::string, Kustomization> m_cache;
  std::vector<std::string> m_stack;
  std::size_t m_visits = 0;
};

}  // namespace

std::optional<std::string> kustomization_file(const KustomizeTree& tree, const std::string& dir) {
  std::vector<std::string> present;
  for (const auto name : k_kustomization_names) {
    const auto rel = dir.empty() ? std::string(name) : dir + "/" + std::string(name);
    if (tree.files->contains(rel)) {
      present.push_back(rel);
    } else if (auto text = tree.read_other(rel, "")) {  // Kustomization, or a file the listing skipped
      tree.files->emplace(rel, std::move(*text));
      present.push_back(rel);
    }
  }
  if (present.size() > 1)
    throw UsageError(fmt::format("{}: holds more than one kustomization file ({} and {}), which kustomize refuses",
                                 tree.show(dir), present[0], present[1]));
  if (present.empty()) return std::nullopt;
  return present.front();
}

KustomizeBuild build_kustomize(const KustomizeTree& tree, const std::string& entry, const std::string& where) {
  KustomizeBuild out;
  Walk walk(tree, out);
  out.uses = walk.build(entry, where);
  return out;
}

}  // namespace airlock
