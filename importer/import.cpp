#include "importer/import.hpp"

#include "common/error.hpp"
#include "common/git_url.hpp"
#include "common/registry_client.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/image_name.hpp"
#include "importer/blob_uploader.hpp"
#include "importer/git_commit.hpp"
#include "importer/image_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <utility>

namespace airlock {
namespace {

constexpr std::string_view k_blob_prefix = "blobs/sha256/";

// Streams the bundle into the graph and the uploader: blob entries that an
// image needs as a config or layer go to the registry as they pass (when
// loading); the release's YAML is kept for rendering.
class ImportHandler final : public EntryHandler {
public:
  using ManifestFiles = std::vector<std::pair<std::string, std::string>>;

  // `yaml_done` runs once, with the verified manifests/ entries, before the
  // first blob (they come before every blob in a bundle) or at the end.
  ImportHandler(const BundleIndex& index, ImageGraph& graph, BlobUploader* uploader, std::string prefix,
                std::function<void(const ManifestFiles&)> yaml_done)
      : m_index(index), m_graph(graph), m_uploader(uploader), m_prefix(std::move(prefix)),
        m_yaml_done(std::move(yaml_done)) {}

  // After the stream: runs `yaml_done` if no blob did.
  void finish_yaml() {
    if (m_yaml_done) std::exchange(m_yaml_done, nullptr)(m_manifests);
  }

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override {
    m_graph.on_data(entry, data);
    if (&entry != m_entry) start(entry);
    if (m_uploading) m_uploader->data(data);
    if (m_keeping) m_kept.append(reinterpret_cast<const char*>(data.data()), data.size());
  }

  void on_verified(const IndexEntry& entry) override {
    if (&entry != m_entry) start(entry);  // an empty entry has no data
    m_graph.on_verified(entry);
    if (m_uploading) {
      m_uploader->verified();
      m_placed.emplace(entry.path, m_repository);
    }
    if (m_keeping) m_manifests.emplace_back(entry.path, std::move(m_kept));
    m_kept.clear();
    m_entry = nullptr;
  }

  // Blob path → the repository it was uploaded to (or found in).
  [[nodiscard]] const std::map<std::string, std::string>& placed() const { return m_placed; }
private:
  void start(const IndexEntry& entry) {
    m_entry = &entry;
    m_uploading = false;
    m_keeping = entry.path.starts_with("manifests/");
    if (entry.path.starts_with(k_blob_prefix)) finish_yaml();
    if (!m_uploader || !entry.path.starts_with(k_blob_prefix) || m_graph.is_manifest(entry.path)) return;
    const auto images = m_graph.images_needing(entry.path);
    if (images.empty()) return;  // listed but no image names it: not loaded
    m_repository = target_repository(m_prefix, m_index.images[images.front()].repository);
    m_uploader->begin(entry.sha256, entry.size, m_repository);
    m_uploading = true;
  }

  const BundleIndex& m_index;
  ImageGraph& m_graph;
  BlobUploader* m_uploader;
  std::string m_prefix;
  const IndexEntry* m_entry = nullptr;
  bool m_uploading = false;
  bool m_keeping = false;
  std::string m_kept;
  std::string m_repository;
  std::map<std::string, std::string> m_placed;
  ManifestFiles m_manifests;
  std::function<void(const ManifestFiles&)> m_yaml_done;
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
    throw VerificationError(fmt::format("registry {}: blob {}@{} does not match its digest", registry.host(), from,
                                        blob.digest.str()));
  uploader.verified();
  uploader.finish();
}

}  // namespace

std::string target_repository(const std::string& prefix, const std::string& repository) {
  return prefix.empty() ? repository : prefix + "/" + repository;
}

ImportReport import_bundle(const std::filesystem::path& bundle, const ImportOptions& options, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (options.registry.empty() && !options.git)
    throw UsageError("no registry given (use --registry HOST[:PORT], and --git URL to commit the release)");
  std::string prefix = options.prefix;
  while (prefix.ends_with('/')) prefix.pop_back();
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  check_prefix(prefix);
  if (options.git && options.git->path) {
    if (const auto why = unsafe_path_reason(*options.git->path); !why.empty() || options.git->path->starts_with(".airlock"))
      throw UsageError(fmt::format("--path \"{}\": {}", *options.git->path, why.empty() ? "reserved for airlock's state" : why));
  }
  const std::int64_t now = options.verify.now.value_or(static_cast<std::int64_t>(std::time(nullptr)));

  TrustedBundle t = open_trusted_bundle(bundle, options.verify);
  ImportReport report;
  auto& v = report.verified;
  v.bundle = t.reader->name();
  v.trust = t.trust;
  v.index = std::move(t.index);
  v.bundle_digest = t.bundle_digest;
  const BundleIndex& index = v.index;
  report.registry = options.registry;
  report.prefix = prefix;
  report.loaded = !options.registry.empty();

  // Rollback, replay and expiry against the branch, before any effect.
  std::optional<GitPrecheck> precheck;
  if (options.git) {
    precheck = git_precheck(*options.git, index, v.bundle_digest, now);
    if (precheck->decision == ImportDecision::replay) {
      report.git = GitReport{redact_git_url(options.git->url), options.git->branch,
                             options.git->path.value_or(index.name)};
      report.git->already_imported = true;
      const auto& rec = precheck->state.releases.at(index.name);
      if (report.registry.empty()) {
        report.registry = rec.registry;
        report.prefix = rec.prefix;
      }
      report.loaded = false;
      report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return report;
    }
    // A clock set back cannot revive an expired key either: time is at
    // least the creation of the newest bundle this branch has imported.
    std::int64_t floor = now;
    for (const auto& [name, rec] : precheck->state.releases) floor = std::max(floor, rec.created);
    if (floor > now)
      recheck_trust_at(t, floor,
                       fmt::format("the newest bundle imported on git {} branch {} was created then",
                                   redact_git_url(options.git->url), options.git->branch));
    if (report.registry.empty()) {
      const auto it = precheck->state.releases.find(index.name);
      if (it == precheck->state.releases.end() || it->second.registry.empty())
        throw UsageError(fmt::format("no --registry given, and git {} branch {} has no earlier import of {} that "
                                     "names one",
                                     redact_git_url(options.git->url), options.git->branch, index.name));
      report.registry = it->second.registry;
      if (options.prefix.empty()) report.prefix = prefix = it->second.prefix;
    }
    require_commit_identity();
  }

  RegistryOptions registry_options;
  registry_options.ca_file = options.access.ca_file;
  registry_options.upload_chunk = options.upload_chunk;
  registry_options.insecure_hosts.insert(options.access.insecure_hosts.begin(), options.access.insecure_hosts.end());
  RegistryClient registry(report.registry, registry_options, AuthStore::load(options.access.auth_file));

  // 1. One pass: verify every entry, upload blobs as they stream. The
  // release is rendered as soon as its YAML has verified, before the first
  // blob: a missing or unknown site value, or an image that cannot be
  // rewritten, stops the import before any upload.
  ImageGraph graph(index, v.bundle);
  std::map<std::string, std::string> placed;
  std::optional<RenderedRelease> rendered;
  {
    std::optional<BlobUploader> uploader;
    if (report.loaded) uploader.emplace(registry, options.uploads, 2 << 20);
    ImportHandler handler(index, graph, uploader ? &*uploader : nullptr, prefix,
                          [&](const ImportHandler::ManifestFiles& manifests) {
                            if (options.git)
                              rendered = render_release(index, manifests, report.registry, prefix,
                                                        options.git->path.value_or(index.name), options.values_file);
                          });
    t.reader->stream(index, handler, progress);
    handler.finish_yaml();
    graph.check();
    if (uploader) {
      uploader->finish();
      const auto stats = uploader->stats();
      report.blobs_uploaded = stats.uploaded;
      report.blobs_skipped = stats.skipped;
      report.bytes_uploaded = stats.bytes_uploaded;
    }
    placed = handler.placed();
  }
  v.compressed_bytes = t.reader->compressed_bytes();
  v.archive_bytes = t.reader->archive_bytes();

  if (report.loaded) {
    // 2. The bundle verified to its last byte: every image gets the blobs
    // other images brought, by mount.
    for (std::size_t i = 0; i < index.images.size(); ++i) {
      const auto repo = target_repository(prefix, index.images[i].repository);
      for (const auto& blob : graph.blobs_of(i)) {
        const auto& from = placed.at(blob_entry_path(blob.digest));
        if (from == repo || registry.has_blob(repo, blob.digest)) continue;
        if (registry.mount_blob(repo, blob.digest, from)) {
          ++report.blobs_mounted;
        } else {
          copy_within(registry, blob, from, repo);
          ++report.blobs_copied;
        }
      }
    }
  }

  // 3. Manifests by digest (children first), then, once all are in, tags.
  // Without loading, each image must already be there at its digest.
  for (std::size_t i = 0; i < index.images.size(); ++i) {
    const auto& img = index.images[i];
    ImportedImage out{img.name, target_repository(prefix, img.repository), img.tag, img.digest, false};
    if (!report.loaded) {
      if (!registry.manifest_digest(out.repository, img.digest.str()))
        throw UsageError(fmt::format("image {} is not in registry {} as {}@{}: load the bundle with --registry first",
                                     img.name, report.registry, out.repository, img.digest.str()));
      report.images.push_back(std::move(out));
      continue;
    }
    const auto current = registry.manifest_digest(out.repository, img.tag);
    out.tag_pushed = !current || *current != img.digest;
    if (out.tag_pushed)
      for (const auto* m : graph.manifests_of(i)) {
        if (registry.manifest_digest(out.repository, m->digest.str())) continue;
        registry.put_manifest(out.repository, m->digest.str(), m->media_type, m->bytes);
        ++report.manifests_pushed;
      }
    report.images.push_back(std::move(out));
  }
  for (std::size_t i = 0; i < index.images.size(); ++i) {
    const auto& out = report.images[i];
    if (!out.tag_pushed) continue;
    const auto& top = *graph.manifests_of(i).back();
    registry.put_manifest(out.repository, out.tag, top.media_type, top.bytes);
  }

  // 4. One commit on the import branch.
  if (options.git)
    report.git = commit_release(*options.git, {index, v.bundle_digest, v.trust, report.registry, prefix, now},
                                *rendered);

  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  v.seconds = report.seconds;
  return report;
}

}  // namespace airlock
