#include "importer/import.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/git_url.hpp"
#include "common/parallel_for.hpp"
#include "common/printable.hpp"
#include "common/registry_client.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/image_name.hpp"
#include "formats/image_reference.hpp"
#include "formats/names.hpp"
#include "importer/blob_uploader.hpp"
#include "importer/git_commit.hpp"
#include "formats/image_graph.hpp"
#include "importer/image_target.hpp"
#include "importer/site_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace airlock {
namespace {

using ManifestFiles = std::vector<std::pair<std::string, std::string>>;
using PlacedBlobs = std::map<std::string, std::string>;  // blob path → the repository it is in

constexpr std::string_view k_blob_prefix = "blobs/sha256/";
constexpr std::string_view k_manifests_prefix = "manifests/";

// Where the images go, as far as the options say before the bundle is read.
struct Destination {
  std::string registry;  // empty with --git alone: the branch's last import of the release names it
  std::string prefix;    // without leading or trailing '/'
};

void check_prefix(const std::string& prefix) {
  if (prefix.empty()) return;
  std::size_t start = 0;
  for (;;) {
    const auto slash = prefix.find('/', start);
    const auto part = prefix.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!is_valid_repository(part))
      throw UsageError(fmt::format("--prefix \"{}\": \"{}\" is not a valid repository path component "
                                   "(lowercase letters, digits, and . _ - between them)",
                                   prefix, part));
    if (slash == std::string::npos) return;
    start = slash + 1;
  }
}

Destination check_options(const ImportOptions& options) {
  if (options.registry.empty() && !options.git)
    throw UsageError("no registry given (use --registry HOST[:PORT], and --git URL to commit the release)");
  // "registry" alone would be read as a Docker Hub path by every client.
  if (!options.registry.empty() && !is_registry_host(options.registry))
    throw UsageError(fmt::format("--registry \"{}\" is not HOST[:PORT] (a name with a dot or a port, localhost, or "
                                 "an IP address)",
                                 printable(options.registry)));
  Destination d{options.registry, options.prefix};
  while (d.prefix.ends_with('/')) d.prefix.pop_back();
  while (d.prefix.starts_with('/')) d.prefix.erase(0, 1);
  check_prefix(d.prefix);
  // Usage errors before the remotes are contacted.
  if (options.values_file) (void)read_small_file(*options.values_file, k_max_values_file);
  if (options.git && options.git->path)
    if (const auto why = release_dir_reason(*options.git->path); !why.empty())
      throw UsageError(fmt::format("--path \"{}\": {}", printable(*options.git->path), why));
  return d;
}

// Rollback, replay and expiry against the import branch, before any effect.
// Without --registry, the branch's last import of the release names the
// registry (and the prefix, unless --prefix is given).
GitPrecheck decide_against_branch(const TrustedBundle& trusted, const GitTarget& git, const ImportOptions& options,
                                  std::int64_t now, Destination& dest) {
  const BundleIndex& index = trusted.index;
  GitPrecheck precheck = git_precheck(git, index, trusted.bundle_digest, now);
  const auto where = fmt::format("git {} branch {}", redact_git_url(git.url), git.branch);
  if (dest.registry.empty()) {
    const auto it = precheck.state.releases.find(index.name);
    if (it == precheck.state.releases.end() || it->second.registry.empty())
      throw UsageError(
          fmt::format("no --registry given, and {} has no earlier import of {} that names one", where, index.name));
    dest.registry = it->second.registry;
    if (options.prefix.empty()) dest.prefix = it->second.prefix;
  }
  if (precheck.decision == ImportDecision::replay) return precheck;
  // A clock set back cannot revive an expired key either: time is at
  // least the creation of the newest bundle this branch has imported.
  std::int64_t floor = now;
  for (const auto& [name, rec] : precheck.state.releases) floor = std::max(floor, rec.created);
  if (floor > now)
    recheck_trust_at(trusted, floor, fmt::format("the newest bundle imported on {} was created then", where));
  require_commit_identity();
  return precheck;
}

// Keeps the release's YAML as it streams by, for rendering (only then: it
// is held whole).
class YamlCollector final : public EntryHandler {
public:
  YamlCollector(ImageGraph& graph, bool keep) : m_graph(graph), m_keep(keep) {}

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override {
    m_graph.on_data(entry, data);
    if (m_keep && entry.path.starts_with(k_manifests_prefix))
      m_kept.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void on_verified(const IndexEntry& entry) override {
    m_graph.on_verified(entry);
    if (m_keep && entry.path.starts_with(k_manifests_prefix))
      m_files.emplace_back(entry.path, std::exchange(m_kept, {}));
  }
  [[nodiscard]] ManifestFiles take() { return std::move(m_files); }

private:
  ImageGraph& m_graph;
  bool m_keep;
  std::string m_kept;
  ManifestFiles m_files;
};

// Uploads every config and layer blob an image needs as it streams by,
// into the repository of the first image that needs it; manifests only go
// to the graph (they are pushed once the whole bundle verified). A blob
// that an image already complete in the registry needs is there (in that
// image's repository): it is neither sent nor asked for.
class BlobLoader final : public EntryHandler {
public:
  BlobLoader(const BundleIndex& index, ImageGraph& graph, BlobUploader* uploader, std::string prefix,
             const std::vector<bool>& complete)
      : m_index(index), m_graph(graph), m_uploader(uploader), m_prefix(std::move(prefix)), m_complete(complete) {}

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override {
    m_graph.on_data(entry, data);
    if (&entry != m_entry) start(entry);
    if (m_uploading) m_uploader->data(data);
  }

  void on_verified(const IndexEntry& entry) override {
    if (&entry != m_entry) start(entry);  // an empty entry has no data
    m_graph.on_verified(entry);
    if (m_uploading) {
      m_uploader->verified();
      m_placed.emplace(entry.path, m_repository);
    }
    m_entry = nullptr;
  }

  [[nodiscard]] const PlacedBlobs& placed() const { return m_placed; }
  [[nodiscard]] std::size_t known_there() const { return m_known_there; }

private:
  void start(const IndexEntry& entry) {
    m_entry = &entry;
    m_uploading = false;
    if (!m_uploader || !entry.path.starts_with(k_blob_prefix) || m_graph.is_manifest(entry.path)) return;
    const auto images = m_graph.images_needing(entry.path);
    if (images.empty()) return;  // listed but no image names it: not loaded
    const auto there = std::find_if(images.begin(), images.end(), [&](std::size_t i) { return m_complete[i]; });
    if (there != images.end()) {
      m_placed.emplace(entry.path, target_repository(m_prefix, m_index.images[*there].repository));
      ++m_known_there;
      return;
    }
    m_repository = target_repository(m_prefix, m_index.images[images.front()].repository);
    m_uploader->begin(entry.sha256, entry.size, m_repository);
    m_uploading = true;
  }

  const BundleIndex& m_index;
  ImageGraph& m_graph;
  BlobUploader* m_uploader;
  std::string m_prefix;
  const std::vector<bool>& m_complete;
  std::size_t m_known_there = 0;
  const IndexEntry* m_entry = nullptr;
  bool m_uploading = false;
  std::string m_repository;
  PlacedBlobs m_placed;
};

// Everything before the first blob: the layout files and the release's
// YAML, verified.
ManifestFiles read_release_yaml(BundleReader& reader, const BundleIndex& index, ImageGraph& graph, bool keep,
                                Progress& progress) {
  YamlCollector collector(graph, keep);
  reader.stream(index, collector, progress, [](std::string_view path) { return path.starts_with(k_blob_prefix); });
  return collector.take();
}

// The images' manifests, which come before every config and layer: after
// them the graph knows which image needs each blob.
void read_image_manifests(BundleReader& reader, const BundleIndex& index, ImageGraph& graph, Progress& progress) {
  reader.stream(index, graph, progress, [&](std::string_view path) {
    return path.starts_with(k_blob_prefix) && !graph.wants_manifest(std::string(path));
  });
}

// A delta's omitted blobs, before the first upload: each that an image not
// complete in the registry needs must be there, at the repository the
// index expects it in or the image's own; else nothing of the bundle is
// sent. A few at a time.
PlacedBlobs check_omitted(RegistryClient& registry, const BundleIndex& index, const ImageGraph& graph,
                          const std::string& prefix, const std::vector<bool>& complete, std::size_t parallel) {
  if (!index.delta) return {};
  const auto& omitted = index.delta->omitted;
  std::vector<std::string> found(omitted.size());
  std::vector<std::size_t> needer(omitted.size(), index.images.size());
  parallel_for(omitted.size(), parallel, [&](std::size_t k) {
    const auto& o = omitted[k];
    const auto path = blob_entry_path(o.digest);
    const auto images = graph.images_needing(path);
    const auto open = std::find_if(images.begin(), images.end(), [&](std::size_t i) { return !complete[i]; });
    if (open == images.end()) {  // every image that needs it is complete: it is there
      if (!images.empty()) found[k] = target_repository(prefix, index.images[images.front()].repository);
      return;
    }
    needer[k] = *open;
    for (const auto& repo :
         {target_repository(prefix, o.repository), target_repository(prefix, index.images[*open].repository)})
      if (registry.has_blob(repo, o.digest)) {
        found[k] = repo;
        return;
      }
  });
  PlacedBlobs placed;
  for (std::size_t k = 0; k < omitted.size(); ++k) {
    const auto& o = omitted[k];
    if (needer[k] == index.images.size() && found[k].empty())
      throw VerificationError(fmt::format("{}: the index omits blob {}, which no image of the bundle needs",
                                          registry.host(), o.digest.str()));
    if (found[k].empty()) {
      const auto& img = index.images[needer[k]];
      const auto expected = target_repository(prefix, o.repository);
      const auto own = target_repository(prefix, img.repository);
      throw VerificationError(fmt::format(
          "registry {}: blob {} ({} bytes), which this delta leaves to the registry, is not at {}{}: image {} needs "
          "it (import a base bundle into this registry first, or a full bundle)",
          registry.host(), o.digest.str(), o.size, expected, own == expected ? "" : " nor at " + own, img.name));
    }
    placed.emplace(blob_entry_path(o.digest), found[k]);
  }
  return placed;
}

// Which images the registry has complete: their tag names their digest
// (the registry took the manifest only with every blob there). The first
// image's tag is asked alone (the first request meets the auth challenge).
// An import pushes that tag after every other (push_images_then_tags), so
// when it does not name this bundle's digest no import of this bundle got
// to its end, and the other tags are not asked: a first import sends one
// HEAD, not one an image. An image counted incomplete that is complete
// costs requests (its blobs are asked for and its manifests sent again),
// never a wrong result. Otherwise a few images at a time.
std::vector<bool> complete_images(RegistryClient& registry, const BundleIndex& index, const std::string& prefix,
                                  std::size_t parallel) {
  std::vector<char> complete(index.images.size(), 0);  // not vector<bool>: each thread writes its own element
  const auto ask = [&](std::size_t i) {
    const auto& img = index.images[i];
    const auto current = registry.manifest_digest(target_repository(prefix, img.repository), img.tag);
    complete[i] = current && *current == img.digest;
  };
  if (index.images.empty()) return {};
  ask(0);
  if (complete[0]) parallel_for(index.images.size() - 1, parallel, [&](std::size_t i) { ask(i + 1); });
  return {complete.begin(), complete.end()};
}

// The rest of the bundle, every entry verified and, with a registry, every
// blob uploaded as it streams unless a `complete` image has it; then the
// proof that every image is complete.
PlacedBlobs stream_blobs(BundleReader& reader, const BundleIndex& index, ImageGraph& graph, RegistryClient* registry,
                         const ImportOptions& options, const std::string& prefix, const std::vector<bool>& complete,
                         Progress& progress, ImportReport& report) {
  std::optional<BlobUploader> uploader;
  if (registry) uploader.emplace(*registry, options.uploads, 2 << 20);
  BlobLoader loader(index, graph, uploader ? &*uploader : nullptr, prefix, complete);
  reader.stream(index, loader, progress);
  graph.check();
  if (uploader) {
    uploader->finish();
    const auto stats = uploader->stats();
    report.blobs_uploaded = stats.uploaded;
    report.blobs_skipped = stats.skipped + loader.known_there();
    report.bytes_uploaded = stats.bytes_uploaded;
  }
  return loader.placed();
}

// A blob the registry would not mount: streamed from where it is in the
// registry to where it is needed, through a small buffer.
void copy_within(RegistryClient& registry, const Descriptor& blob, const std::string& from, const std::string& to) {
  BlobUploader uploader(registry, 1, 2 << 20);
  uploader.begin(blob.digest, blob.size, to);
  Sha256 hash;
  registry.get_blob(from, blob.digest, blob.size, [&](std::span<const std::uint8_t> data) {
    hash.update(data);
    uploader.data(data);
  });
  if (hash.finish() != blob.digest)
    throw VerificationError(
        fmt::format("registry {}: blob {}@{} does not match its digest", registry.host(), from, blob.digest.str()));
  uploader.verified();
  uploader.finish();
}

// The images of each repository, in index order (two tags of one
// repository share their blobs and often their manifests).
std::vector<std::vector<std::size_t>> images_by_repository(const BundleIndex& index, const std::string& prefix) {
  std::vector<std::vector<std::size_t>> out;
  std::map<std::string, std::size_t> slot;
  for (std::size_t i = 0; i < index.images.size(); ++i) {
    const auto [it, fresh] = slot.emplace(target_repository(prefix, index.images[i].repository), out.size());
    if (fresh) out.emplace_back();
    out[it->second].push_back(i);
  }
  return out;
}

struct RepositoryLoad {
  std::size_t mounted = 0;
  std::size_t copied = 0;
  std::size_t manifests_pushed = 0;
};

// Makes the images of one repository complete at their digests, without a
// tag yet: for each image not `complete` already, the blobs other images
// brought, by mount (a copy within the registry where it will not mount and
// the repository does not have the blob), then its manifests, children
// first. What is placed here is not asked for: a mount or a manifest PUT of
// what is there already is harmless and costs what the HEAD to ask would.
RepositoryLoad load_repository(RegistryClient& registry, const ImageGraph& graph, const PlacedBlobs& placed,
                               const std::vector<bool>& complete, const std::vector<std::size_t>& images,
                               std::vector<ImportedImage>& out) {
  RepositoryLoad load;
  std::set<Digest> here;  // blobs and manifests this repository has now
  for (const auto i : images) {
    ImportedImage& img = out[i];
    if (complete[i]) continue;  // tag_pushed stays false
    img.tag_pushed = true;
    for (const auto& blob : graph.blobs_of(i)) {
      const auto& from = placed.at(blob_entry_path(blob.digest));
      if (from == img.repository || !here.insert(blob.digest).second) continue;
      if (registry.mount_blob(img.repository, blob.digest, from)) {
        ++load.mounted;
      } else if (!registry.has_blob(img.repository, blob.digest)) {
        copy_within(registry, blob, from, img.repository);
        ++load.copied;
      }
    }
    for (const auto* m : graph.manifests_of(i)) {
      if (!here.insert(m->digest).second) continue;
      registry.put_manifest(img.repository, m->digest.str(), m->media_type, m->bytes);
      ++load.manifests_pushed;
    }
  }
  return load;
}

// Every image complete at its digest (repositories `parallel` at a time),
// then, once all are, the tags.
void push_images_then_tags(RegistryClient& registry, const BundleIndex& index, const ImageGraph& graph,
                           const PlacedBlobs& placed, const std::vector<bool>& complete, const std::string& prefix,
                           std::size_t parallel, ImportReport& report) {
  std::vector<ImportedImage> out;
  for (const auto& img : index.images)
    out.push_back({img.name, target_repository(prefix, img.repository), img.tag, img.digest, false});
  const auto repositories = images_by_repository(index, prefix);
  std::vector<RepositoryLoad> loads(repositories.size());
  parallel_for(repositories.size(), parallel, [&](std::size_t r) {
    loads[r] = load_repository(registry, graph, placed, complete, repositories[r], out);
  });
  for (const auto& load : loads) {
    report.blobs_mounted += load.mounted;
    report.blobs_copied += load.copied;
    report.manifests_pushed += load.manifests_pushed;
  }
  // The first image's tag last: complete_images() reads it as "an import
  // of this bundle got to its end".
  std::vector<std::size_t> tags;
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].tag_pushed) tags.push_back(i);
  const auto push_tag = [&](std::size_t i) {
    const auto& top = *graph.manifests_of(i).back();
    registry.put_manifest(out[i].repository, out[i].tag, top.media_type, top.bytes);
  };
  parallel_for(tags.size(), parallel, [&](std::size_t t) { push_tag(tags[t]); });
  if (!out.empty() && out[0].tag_pushed) push_tag(0);
  for (auto& img : out) report.images.push_back(std::move(img));
}

// Without --registry the images were loaded by an earlier import: each must
// be there at its digest.
void check_images_loaded(RegistryClient& registry, const BundleIndex& index, const std::string& prefix,
                         ImportReport& report) {
  for (const auto& img : index.images) {
    ImportedImage out{img.name, target_repository(prefix, img.repository), img.tag, img.digest, false};
    if (!registry.manifest_digest(out.repository, img.digest.str()))
      throw UsageError(fmt::format("image {} is not in registry {} as {}@{}: load the bundle with --registry first",
                                   img.name, report.registry, out.repository, img.digest.str()));
    report.images.push_back(std::move(out));
  }
}

// The branch has this bundle already: nothing to load or commit, but this
// copy is read to its end, so that a damaged copy of an imported bundle is
// refused, not reported imported.
void verify_replay(TrustedBundle& trusted, const GitTarget& git, Progress& progress, ImportReport& report) {
  const BundleIndex& index = trusted.index;
  ImageGraph graph(index, report.verified.bundle);
  trusted.reader->stream(index, graph, progress);
  graph.check();
  report.verified.compressed_bytes = trusted.reader->compressed_bytes();
  report.verified.archive_bytes = trusted.reader->archive_bytes();
  report.verified.decoded_chunks = trusted.reader->decoded_chunks();
  report.git = GitReport{redact_git_url(git.url), git.branch, git.path.value_or(index.name)};
  report.git->already_imported = true;
  report.loaded = false;
}

RegistryClient site_registry(const ImportOptions& options, const Destination& dest) {
  RegistryOptions registry_options;
  registry_options.ca_file = options.access.ca_file;
  registry_options.upload_chunk = options.upload_chunk;
  registry_options.insecure_hosts.insert(options.access.insecure_hosts.begin(), options.access.insecure_hosts.end());
  return RegistryClient(dest.registry, registry_options, AuthStore::load(options.access.auth_file));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ImportReport import_bundle(const BundleInputs& bundle, const ImportOptions& options, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t now = options.verify.now.value_or(unix_now());
  Destination dest = check_options(options);
  TrustedBundle trusted = open_trusted_bundle(bundle, options.verify);
  const BundleIndex& index = trusted.index;
  std::optional<GitPrecheck> branch;
  if (options.git) branch = decide_against_branch(trusted, *options.git, options, now, dest);

  ImportReport report;
  report.verified.bundle = trusted.reader->name();
  report.verified.index = index;
  report.verified.bundle_digest = trusted.bundle_digest;
  report.verified.trust = trusted.trust;
  report.verified.parts = trusted.reader->part_status();
  report.registry = dest.registry;
  report.prefix = dest.prefix;
  report.loaded = !options.registry.empty();
  if (branch && branch->decision == ImportDecision::replay) {
    verify_replay(trusted, *options.git, progress, report);
    report.seconds = seconds_since(start);
    return report;
  }

  RegistryClient registry = site_registry(options, dest);

  ImageGraph graph(index, report.verified.bundle);
  const ManifestFiles yaml = read_release_yaml(*trusted.reader, index, graph, options.git.has_value(), progress);
  // Before the first blob: a missing site value, or an image that cannot be
  // rewritten, stops the import before any upload.
  std::optional<RenderedRelease> rendered;
  if (options.git)
    rendered = render_release(index, yaml, dest.registry, dest.prefix, options.git->path.value_or(index.name),
                              options.values_file);
  read_image_manifests(*trusted.reader, index, graph, progress);
  // What the registry has already, before the first upload.
  const std::vector<bool> complete = report.loaded ? complete_images(registry, index, dest.prefix, options.uploads)
                                                   : std::vector<bool>(index.images.size(), false);
  PlacedBlobs placed =
      report.loaded ? check_omitted(registry, index, graph, dest.prefix, complete, options.uploads) : PlacedBlobs{};
  placed.merge(stream_blobs(*trusted.reader, index, graph, report.loaded ? &registry : nullptr, options, dest.prefix,
                            complete, progress, report));
  report.verified.compressed_bytes = trusted.reader->compressed_bytes();
  report.verified.archive_bytes = trusted.reader->archive_bytes();
  report.verified.decoded_chunks = trusted.reader->decoded_chunks();

  // The bundle verified to its last byte: now the images become visible.
  if (report.loaded) {
    push_images_then_tags(registry, index, graph, placed, complete, dest.prefix, options.uploads, report);
  } else {
    check_images_loaded(registry, index, dest.prefix, report);
  }
  if (options.git)
    report.git =
        commit_release(*options.git, {index, trusted.bundle_digest, trusted.trust, dest.registry, dest.prefix, now},
                       *rendered);
  report.seconds = report.verified.seconds = seconds_since(start);
  return report;
}

}  // namespace airlock
