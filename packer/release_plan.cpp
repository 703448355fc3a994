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

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace airlock {
namespace {

// A git URL that names a local directory is taken relative to the spec.
std::string resolve_git_url(const ReleaseSpec& spec, const std::string& url) {
  const bool remote =
      url.find("://") != std::string::npos || (url.find(':') != std::string::npos && url.find(':') < url.find('/'));
  if (remote || url.starts_with('/')) return url;
  return std::filesystem::absolute(spec.dir / url).lexically_normal().string();
}

std::vector<ManifestFile> load_manifests(const ReleaseSpec& spec, const GitOptions& git,
                                         std::vector<ManifestSource>& sources) {
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
  };
  for (const auto& m : spec.manifests) {
    if (m.git) {
      const auto url = resolve_git_url(spec, *m.git);
      auto fetched = fetch_git_manifests(url, m.ref, m.path, m.where, git);
      const auto shown = redact_git_url(*m.git);  // as messages and the index show it
      for (auto& [rel, content] : fetched.files)
        add(fmt::format("{}@{}:{}", shown, m.ref, (std::filesystem::path(m.path) / rel).generic_string()), rel,
            std::move(content));
      sources.push_back({shown, m.ref, fetched.commit, m.path});
      continue;
    }
    const auto& item = m.path;
    const auto path = spec.dir / item;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      add(path.string(), path.filename(), read_small_file(path, k_max_yaml_file));
    } else if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> files;
      // Hidden files and directories (.git/, .github/ workflows) are not
      // the release's YAML.
      for (auto it = std::filesystem::recursive_directory_iterator(path); it != decltype(it)(); ++it) {
        if (it->path().filename().string().starts_with('.')) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        const auto ext = it->path().extension();
        if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty())
        throw UsageError(fmt::format("{}: no *.yaml or *.yml files in {}", spec.path.string(), path.string()));
      for (const auto& f : files)
        add(f.string(), std::filesystem::relative(f, path), read_small_file(f, k_max_yaml_file));
    } else {
      throw UsageError(
          fmt::format("{}: manifests entry \"{}\": {} does not exist", spec.path.string(), item, path.string()));
    }
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
  plan.manifests = load_manifests(plan.spec, git, plan.sources);
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
  // provide.
  std::vector<std::string> errors;
  for (const auto& m : plan.manifests) {
    auto found = discover_images(m.content, m.file);
    errors.insert(errors.end(), found.errors.begin(), found.errors.end());
    plan.unbundled.insert(plan.unbundled.end(), found.embedded.begin(), found.embedded.end());
    plan.notes.insert(plan.notes.end(), found.notes.begin(), found.notes.end());
    for (const auto& img : found.images) {
      if (const auto i = matcher.find(img.reference))
        plan.images[*i].found_at.push_back(img.where);
      else
        add({img.reference.bundle_name(), "docker://" + img.reference.str(), img.reference, {img.where}});
    }
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
