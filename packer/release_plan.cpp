#include "packer/release_plan.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/git_url.hpp"
#include "formats/bundle_index.hpp"
#include "formats/image_match.hpp"
#include "formats/image_name.hpp"
#include "formats/names.hpp"
#include "formats/release_limits.hpp"
#include "packer/git_manifests.hpp"
#include "packer/kustomize_build.hpp"
#include "common/printable.hpp"
#include "formats/kustomization.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace airlock {
namespace {

// A git URL that names a local directory is taken relative to the spec.
std::string resolve_git_url(const ReleaseSpec& spec, const std::string& url) {
  const bool remote =
      url.find("://") != std::string::npos || (url.find(':') != std::string::npos && url.find(':') < url.find('/'));
  if (remote || url.starts_with('/')) return url;
  return std::filesystem::absolute(spec.dir / url).lexically_normal().string();
}

bool is_kustomization_name(std::string_view name) {
  return std::find(std::begin(k_kustomization_names), std::end(k_kustomization_names), name) !=
         std::end(k_kustomization_names);
}

// One manifests item's files, relative to its root, before they join the
// bundle; and how a kustomize build reaches the files it did not collect.
struct ItemFiles {
  std::map<std::string, std::string> files;
  std::vector<std::string> order;  // the listing's order; files a build adds follow, sorted
  std::function<std::string(const std::string&)> show;
  std::function<std::optional<std::string>(const std::string&, const std::string&)> read_other;
  std::function<bool(const std::string&)> is_directory;
};

ItemFiles git_item(const ReleaseSpec& spec, const SpecManifests& m, const GitOptions& git,
                   std::vector<ManifestSource>& sources) {
  const auto url = resolve_git_url(spec, *m.git);
  auto fetched = fetch_git_manifests(url, m.ref, m.path, m.where, git);
  const auto shown = redact_git_url(*m.git);  // as messages and the index show it
  sources.push_back({shown, m.ref, fetched.commit, m.path});
  ItemFiles item;
  for (auto& [rel, content] : fetched.files) {
    item.order.push_back(rel);
    item.files.emplace(rel, std::move(content));
  }
  item.show = [shown, ref = m.ref, path = m.path](const std::string& rel) {
    return fmt::format("{}@{}:{}", shown, ref, (std::filesystem::path(path) / rel).generic_string());
  };
  item.read_other = [show = item.show, others = std::move(fetched.others),
                     left_out = std::move(fetched.left_out)](const std::string& rel,
                                                             const std::string& where) -> std::optional<std::string> {
    if (const auto it = others.find(rel); it != others.end()) return it->second;
    if (where.empty()) return std::nullopt;
    if (left_out.contains(rel))
      throw UsageError(fmt::format("{}: {} is not read: it is larger than {} bytes (k_max_yaml_file), or the git "
                                   "source's files that are not YAML pass {} bytes (k_max_git_other_bytes)",
                                   where, show(rel), k_max_yaml_file, k_max_git_other_bytes));
    throw UsageError(
        fmt::format("{}: {} is not a file of the git source (missing, hidden, or a symbolic link)", where, show(rel)));
  };
  return item;  // is_directory: set where the item stays (it reads item.files)
}

// A directory of a git source: one its files lie below.
bool has_files_below(const std::map<std::string, std::string>& files, const std::string& rel) {
  if (rel.empty()) return true;
  const auto it = files.lower_bound(rel + "/");
  return it != files.end() && it->first.starts_with(rel + "/");
}

ItemFiles directory_item(const ReleaseSpec& spec, const std::filesystem::path& path) {
  std::vector<std::filesystem::path> found;
  // Hidden files and directories (.git/, .github/ workflows) are not the
  // release's YAML.
  for (auto it = std::filesystem::recursive_directory_iterator(path); it != decltype(it)(); ++it) {
    if (it->path().filename().string().starts_with('.')) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  if (found.empty())
    throw UsageError(fmt::format("{}: no *.yaml or *.yml files in {}", spec.path.string(), path.string()));
  ItemFiles item;
  for (const auto& f : found) {
    auto rel = std::filesystem::relative(f, path).generic_string();
    item.order.push_back(rel);
    item.files.emplace(std::move(rel), read_small_file(f, k_max_yaml_file));
  }
  item.show = [path](const std::string& rel) { return rel.empty() ? path.string() : (path / rel).string(); };
  // A file the build needs beyond the listing: it must resolve inside the item.
  item.read_other = [path, show = item.show](const std::string& rel,
                                             const std::string& where) -> std::optional<std::string> {
    std::error_code ec;
    const auto file = path / rel;
    if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
    const auto root = std::filesystem::weakly_canonical(path, ec);
    const auto real = std::filesystem::weakly_canonical(file, ec);
    const auto inside = std::filesystem::relative(real, root, ec).generic_string();
    if (ec || inside.empty() || inside == ".." || inside.starts_with("../"))
      throw UsageError(fmt::format("{}: {} leads out of the manifests entry {}", where.empty() ? show(rel) : where,
                                   show(rel), path.string()));
    return read_small_file(file, k_max_yaml_file);
  };
  item.is_directory = [path](const std::string& rel) {
    std::error_code ec;
    return std::filesystem::is_directory(path / rel, ec);
  };
  return item;
}

// The item's kustomize entry: as the spec names it, else its root when that
// holds a kustomization file, else none.
std::optional<std::string> kustomize_entry(const SpecManifests& m, const KustomizeTree& tree) {
  if (m.kustomize) {
    if (!tree.is_directory(*m.kustomize))
      throw UsageError(fmt::format("{}: kustomize: {} is not a directory", m.kustomize_where, tree.show(*m.kustomize)));
    if (!kustomization_file(tree, *m.kustomize))
      throw UsageError(fmt::format("{}: kustomize: {} holds no kustomization.yaml, kustomization.yml or Kustomization",
                                   m.kustomize_where, tree.show(*m.kustomize)));
    return m.kustomize;
  }
  if (kustomization_file(tree, "")) return std::string();
  return std::nullopt;
}

// The item's files in the order they are bundled.
std::vector<std::string> bundle_order(const ItemFiles& item) {
  std::vector<std::string> out = item.order;
  const std::set<std::string> listed(out.begin(), out.end());
  for (const auto& [rel, content] : item.files)
    if (!listed.contains(rel)) out.push_back(rel);
  return out;
}

// A kustomize item: the files the build reaches and the images it deploys.
struct KustomizeItem {
  KustomizeEntry index;
  KustomizeBuild build;
  std::vector<std::string> unused;       // files of the item the build does not read
  std::set<std::string> unused_entries;  // the same, as bundle entries
};

std::vector<ManifestFile> load_manifests(const ReleaseSpec& spec, const GitOptions& git,
                                         std::vector<ManifestSource>& sources, std::vector<KustomizeItem>& kustomized,
                                         std::vector<std::string>& notes) {
  std::vector<ManifestFile> out;
  std::map<std::string, std::string> origin;
  std::uint64_t total = 0;
  const auto add = [&](const std::string& file, const std::filesystem::path& rel, std::string content) {
    const std::string entry = "manifests/" + rel.generic_string();
    total += content.size();
    if (total > k_max_release_yaml)
      throw UsageError(
          fmt::format("{}: the release's YAML passes {} bytes, the most an importer holds", file, k_max_release_yaml));
    if (const auto why = unsafe_path_reason(entry); !why.empty())
      throw UsageError(fmt::format("{}: cannot be bundled: {}", file, why));
    if (const auto [it, fresh] = origin.emplace(entry, file); !fresh)
      throw UsageError(fmt::format("{} and {} would both be bundled as {}", it->second, file, entry));
    out.push_back({file, entry, std::move(content)});
    return entry;
  };
  for (const auto& m : spec.manifests) {
    ItemFiles item;
    if (m.git) {
      item = git_item(spec, m, git, sources);
      item.is_directory = [files = &item.files](const std::string& rel) { return has_files_below(*files, rel); };
    } else {
      const auto path = spec.dir / m.path;
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec)) {
        if (m.kustomize)
          throw UsageError(
              fmt::format("{}: kustomize: needs a directory, and {} is a file", m.kustomize_where, path.string()));
        add(path.string(), path.filename(), read_small_file(path, k_max_yaml_file));
        continue;
      }
      if (!std::filesystem::is_directory(path, ec))
        throw UsageError(
            fmt::format("{}: manifests entry \"{}\": {} does not exist", spec.path.string(), m.path, path.string()));
      item = directory_item(spec, path);
    }
    KustomizeTree tree{&item.files, item.show, item.read_other, item.is_directory};
    const auto entry = kustomize_entry(m, tree);
    if (!entry) {
      if (std::any_of(item.files.begin(), item.files.end(), [](const auto& f) {
            return is_kustomization_name(std::filesystem::path(f.first).filename().string());
          }))
        notes.push_back(fmt::format("{}: {} holds kustomization files but none at its root: it is bundled and read as "
                                    "plain YAML; name the entry point of its build with kustomize: DIR",
                                    m.where, item.show("")));
      for (const auto& rel : bundle_order(item)) add(item.show(rel), rel, std::move(item.files.at(rel)));
      continue;
    }
    KustomizeItem k;
    k.build = build_kustomize(tree, *entry, m.kustomize ? m.kustomize_where : m.where);
    k.index.entry = entry->empty() ? "manifests" : "manifests/" + *entry;
    for (const auto& rel : bundle_order(item)) {
      const auto bundled = add(item.show(rel), rel, std::move(item.files.at(rel)));
      if (!k.build.used.contains(rel)) {
        k.unused.push_back(rel);
        k.unused_entries.insert(bundled);
      }
      k.index.files.push_back(bundled);
      if (k.build.resources.contains(rel)) k.index.resources.push_back(bundled);
    }
    if (!k.unused.empty()) {
      std::string list;
      for (const auto& u : k.unused) list += (list.empty() ? "" : ", ") + u;
      notes.push_back(fmt::format("{}: {} file{} of {} that the kustomize build of {} does not use {} bundled as {} "
                                  "{}, {} images not bundled: {}",
                                  m.kustomize ? m.kustomize_where : m.where, k.unused.size(),
                                  k.unused.size() == 1 ? "" : "s", item.show(""), entry->empty() ? "." : *entry,
                                  k.unused.size() == 1 ? "is" : "are", k.unused.size() == 1 ? "it" : "they",
                                  k.unused.size() == 1 ? "is" : "are", k.unused.size() == 1 ? "its" : "their", list));
    }
    kustomized.push_back(std::move(k));
  }
  return out;
}

PlannedImage plan_spec_image(const SpecImage& si) {
  PlannedImage p;
  p.found_at.push_back(si.where);
  if (si.source.starts_with("oci:")) {
    if (!si.name)
      throw UsageError(fmt::format("{}: image {} needs a name: (repository:tag in the bundle)", si.where, si.source));
    p.name = ImageName::parse(*si.name, si.where).str();
    p.source = si.source;
    return p;
  }
  const std::string text = si.source.starts_with("docker://") ? si.source.substr(9) : si.source;
  if (si.source.find("://") != std::string::npos && !si.source.starts_with("docker://"))
    throw UsageError(fmt::format("{}: image source \"{}\": use oci:PATH[:REF], docker://REF or a plain reference",
                                 si.where, si.source));
  p.reference = ImageReference::parse(text, si.where);
  p.source = "docker://" + p.reference->str();
  p.name = si.name ? ImageName::parse(*si.name, si.where).str() : p.reference->bundle_name();
  return p;
}

}  // namespace

ReleasePlan plan_release(const std::filesystem::path& spec_path, const GitOptions& git) {
  ReleasePlan plan;
  plan.spec = load_release_spec(spec_path);
  std::vector<KustomizeItem> kustomized;
  plan.manifests = load_manifests(plan.spec, git, plan.sources, kustomized, plan.kustomize_notes);
  for (const auto& m : plan.manifests)
    for (const auto& p : find_placeholders(m.content, m.file))
      if (std::none_of(plan.spec.values.begin(), plan.spec.values.end(),
                       [&](const auto& v) { return v.name == p.name; }))
        throw UsageError(fmt::format("{}:{}: ${{airlock:{}}} is not declared under values: in {}", m.file, p.line,
                                     p.name, plan.spec.path.string()));

  // Spec images first, in spec order; two sources may not share a name.
  std::map<std::string, std::size_t> by_name;
  ImageMatcher matcher;
  const auto add = [&](PlannedImage p) {
    if (const auto it = by_name.find(p.name); it != by_name.end()) {
      const auto& other = plan.images[it->second];
      throw UsageError(fmt::format("images {} ({}) and {} ({}) would both be named {} in the bundle; give one a "
                                   "different name:",
                                   other.source, other.found_at.front(), p.source, p.found_at.front(), p.name));
    }
    by_name.emplace(p.name, plan.images.size());
    matcher.add(plan.images.size(), p.reference, p.name);
    plan.images.push_back(std::move(p));
  };
  for (const auto& si : plan.spec.images) add(plan_spec_image(si));

  // Then every image the YAML references that the spec does not already
  // provide: the plain files' image fields, and what each kustomize build
  // deploys.
  std::vector<std::string> errors;
  const auto found = [&](const ImageReference& ref, const std::string& where, const ImageTrail* trail) {
    PlannedImage* img = nullptr;
    if (const auto i = matcher.find(ref)) {
      img = &plan.images[*i];
      img->found_at.push_back(where);
    } else {
      add({ref.bundle_name(), "docker://" + ref.str(), ref, {where}, {}});
      img = &plan.images.back();
    }
    if (trail) {
      img->trails.push_back(*trail);
      img->trails.back().found_at = img->found_at.size() - 1;
    }
  };
  const auto take = [&](DiscoveryResult& d) {
    errors.insert(errors.end(), d.errors.begin(), d.errors.end());
    plan.unbundled.insert(plan.unbundled.end(), d.embedded.begin(), d.embedded.end());
    plan.notes.insert(plan.notes.end(), d.notes.begin(), d.notes.end());
    for (const auto& img : d.images) found(img.reference, img.where, nullptr);
  };
  std::set<std::string> in_kustomize, unused;
  for (const auto& k : kustomized) {
    in_kustomize.insert(k.index.files.begin(), k.index.files.end());
    unused.insert(k.unused_entries.begin(), k.unused_entries.end());
  }
  for (const auto& m : plan.manifests) {
    const bool yaml = m.entry.ends_with(".yaml") || m.entry.ends_with(".yml");
    if (!in_kustomize.contains(m.entry)) {
      auto d = discover_images(m.content, m.file);
      take(d);
    } else if (yaml && unused.contains(m.entry)) {
      // Not part of what a build discovers, but the import reads it as YAML.
      (void)discover_images(m.content, m.file);
    }
  }
  for (auto& k : kustomized) {
    for (const auto& u : k.build.uses) {
      const auto ref = ImageReference::try_parse(u.value);
      if (!ref) {
        errors.push_back(fmt::format("{}: {}: \"{}\"{} is not an image reference", u.field.where, u.field.context,
                                     printable(u.value),
                                     u.set_by.empty() ? "" : fmt::format(" (set by {})", fmt::join(u.set_by, ", "))));
        continue;
      }
      if (std::find(k.index.images.begin(), k.index.images.end(), u.value) == k.index.images.end())
        k.index.images.push_back(u.value);
      const ImageTrail trail{0, u.field.text, u.set_by};
      found(*ref, u.field.where, u.set_by.empty() ? nullptr : &trail);
    }
    DiscoveryResult d;
    d.images = std::move(k.build.images);
    d.embedded = std::move(k.build.embedded);
    d.errors = std::move(k.build.errors);
    d.notes = std::move(k.build.field_notes);
    take(d);
    plan.kustomize_notes.insert(plan.kustomize_notes.end(), k.build.notes.begin(), k.build.notes.end());
    plan.kustomize.push_back(std::move(k.index));
  }
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    throw UsageError(fmt::format("image fields that are not image references:{}", all));
  }
  // References the bundle carries are rewritten on import: nothing to report.
  std::erase_if(plan.unbundled, [&](const FoundImage& w) { return matcher.find(w.reference).has_value(); });
  return plan;
}

}  // namespace airlock
