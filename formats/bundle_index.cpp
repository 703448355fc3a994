#include "formats/bundle_index.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "common/timestamp.hpp"
#include "formats/image_name.hpp"
#include "formats/image_reference.hpp"
#include "formats/names.hpp"
#include "formats/release_limits.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <type_traits>

namespace airlock {

std::string blob_entry_path(const Digest& digest) { return "blobs/sha256/" + digest.hex(); }

std::string BundleIndex::to_json() const {
  nlohmann::json j;
  j["formatVersion"] = format_version();
  j["release"] = {{"name", name}, {"version", version}, {"sequence", sequence}};
  j["created"] = format_utc(created);
  if (expires) j["expires"] = format_utc(*expires);
  j["images"] = nlohmann::json::array();
  for (const auto& img : images) {
    j["images"].push_back({{"name", img.name},
                           {"repository", img.repository},
                           {"tag", img.tag},
                           {"source", img.source},
                           {"digest", img.digest.str()},
                           {"mediaType", img.media_type},
                           {"size", img.size},
                           {"platforms", img.platforms}});
    if (img.source_digest) j["images"].back()["sourceDigest"] = img.source_digest->str();
  }
  if (!manifest_sources.empty()) {
    j["manifestSources"] = nlohmann::json::array();
    for (const auto& m : manifest_sources)
      j["manifestSources"].push_back({{"git", m.git}, {"ref", m.ref}, {"commit", m.commit}, {"path", m.path}});
  }
  if (!values.empty()) {
    j["values"] = nlohmann::json::array();
    for (const auto& v : values) {
      j["values"].push_back({{"name", v.name}, {"description", v.description}});
      if (v.default_value) j["values"].back()["default"] = *v.default_value;
    }
  }
  if (!kustomize.empty()) {
    j["kustomize"] = nlohmann::json::array();
    for (const auto& k : kustomize)
      j["kustomize"].push_back(
          {{"entry", k.entry}, {"files", k.files}, {"resources", k.resources}, {"images", k.images}});
  }
  if (delta) {
    auto& d = j["delta"];
    d["bases"] = nlohmann::json::array();
    for (const auto& b : delta->bases)
      d["bases"].push_back({{"bundleDigest", b.bundle_digest.str()}, {"sequence", b.sequence}, {"version", b.version}});
    d["omitted"] = nlohmann::json::array();
    for (const auto& o : delta->omitted)
      d["omitted"].push_back({{"digest", o.digest.str()}, {"size", o.size}, {"repository", o.repository}});
  }
  j["entries"] = nlohmann::json::array();
  for (const auto& e : entries)
    j["entries"].push_back({{"path", e.path}, {"sha256", e.sha256.hex()}, {"size", e.size}});
  return j.dump(2) + "\n";
}

namespace {

template <typename T>
T field(const nlohmann::json& j, const char* key, std::string_view ctx, std::string_view where) {
  if (!j.is_object() || !j.contains(key))
    throw VerificationError(fmt::format("{}: index: {} has no \"{}\"", where, ctx, key));
  // nlohmann converts -1 to 2^64-1: an unsigned field must be stored unsigned
  // (a "sequence": -1 would otherwise outrank every later bundle).
  if constexpr (std::is_same_v<T, std::uint64_t>)
    if (!j.at(key).is_number_unsigned())
      throw VerificationError(fmt::format("{}: index: {}.{} must be a non-negative integer", where, ctx, key));
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw VerificationError(fmt::format("{}: index: {}.{} has the wrong type", where, ctx, key));
  }
}

std::int64_t time_field(const nlohmann::json& j, const char* key, std::string_view where) {
  const auto text = field<std::string>(j, key, "the index", where);
  const auto t = parse_utc(text);
  if (!t) throw VerificationError(fmt::format("{}: index: {} \"{}\" is not YYYY-MM-DDTHH:MM:SSZ", where, key, text));
  return *t;
}

Digest digest_field(const std::string& text, std::string_view ctx, std::string_view where) {
  const auto d = Digest::parse(text);
  if (!d) throw VerificationError(fmt::format("{}: index: {} has a malformed digest \"{}\"", where, ctx, text));
  return *d;
}

bool is_reference_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._-:/@[]").find(c) != std::string_view::npos;
}

// The import writes these into the YAML it commits: each file an entry of
// the bundle's manifests/, the entry a directory of it holding a
// kustomization, each image a reference of reference characters only.
KustomizeEntry parse_kustomize_entry(const nlohmann::json& k, const std::set<std::string>& paths,
                                     std::string_view where) {
  KustomizeEntry out;
  out.entry = field<std::string>(k, "entry", "a kustomize entry", where);
  const auto ctx = "kustomize entry " + printable(out.entry);
  out.files = field<std::vector<std::string>>(k, "files", ctx, where);
  out.resources = field<std::vector<std::string>>(k, "resources", ctx, where);
  out.images = field<std::vector<std::string>>(k, "images", ctx, where);
  if ((out.entry != "manifests" && !out.entry.starts_with("manifests/")) || !unsafe_path_reason(out.entry).empty())
    throw VerificationError(fmt::format("{}: index: {} is not a directory of manifests/", where, ctx));
  for (const auto* list : {&out.files, &out.resources})
    for (const auto& f : *list)
      if (!f.starts_with("manifests/") || !paths.contains(f))
        throw VerificationError(
            fmt::format("{}: index: {} names \"{}\", which is not a manifests/ entry", where, ctx, printable(f)));
  bool has_kustomization = false;
  for (const auto& f : out.files)
    for (const auto name : {"kustomization.yaml", "kustomization.yml", "Kustomization"})
      has_kustomization = has_kustomization || f == out.entry + "/" + name;
  if (!has_kustomization)
    throw VerificationError(fmt::format("{}: index: {} holds no kustomization file of its files", where, ctx));
  for (const auto& img : out.images)
    if (!std::all_of(img.begin(), img.end(), is_reference_char) || !ImageReference::try_parse(img))
      throw VerificationError(
          fmt::format("{}: index: {} has an image \"{}\" that is not a reference", where, ctx, printable(img)));
  return out;
}

// What a delta relies on, checked as far as the index alone can: each base
// an earlier bundle of this release, each omitted blob once and not also
// carried (ImageGraph::check proves that an image needs it).
BundleDelta parse_delta(const nlohmann::json& d, std::uint64_t sequence, const std::set<std::string>& paths,
                        std::string_view where) {
  BundleDelta out;
  std::set<Digest> seen;
  for (const auto& b : field<nlohmann::json>(d, "bases", "the delta", where)) {
    DeltaBase base;
    base.bundle_digest =
        digest_field(field<std::string>(b, "bundleDigest", "a delta base", where), "a delta base", where);
    base.sequence = field<std::uint64_t>(b, "sequence", "a delta base", where);
    base.version = field<std::string>(b, "version", "a delta base", where);
    if (base.sequence >= sequence)
      throw VerificationError(fmt::format("{}: index: delta base {} has sequence {}, not before this bundle's {}",
                                          where, base.bundle_digest.str(), base.sequence, sequence));
    if (!is_valid_release_version(base.version))
      throw VerificationError(fmt::format("{}: index: delta base {} has a malformed version \"{}\"", where,
                                          base.bundle_digest.str(), printable(base.version)));
    if (!seen.insert(base.bundle_digest).second)
      throw VerificationError(fmt::format("{}: index: delta base {} appears twice", where, base.bundle_digest.str()));
    out.bases.push_back(std::move(base));
  }
  if (out.bases.empty() || out.bases.size() > k_max_delta_bases)
    throw VerificationError(
        fmt::format("{}: index: a delta names {} bases (1 to {})", where, out.bases.size(), k_max_delta_bases));
  seen.clear();
  for (const auto& o : field<nlohmann::json>(d, "omitted", "the delta", where)) {
    OmittedBlob blob;
    blob.digest = digest_field(field<std::string>(o, "digest", "an omitted blob", where), "an omitted blob", where);
    const auto ctx = "omitted blob " + blob.digest.str();
    blob.size = field<std::uint64_t>(o, "size", ctx, where);
    blob.repository = field<std::string>(o, "repository", ctx, where);
    if (!is_valid_repository(blob.repository))
      throw VerificationError(
          fmt::format("{}: index: {} has a malformed repository \"{}\"", where, ctx, printable(blob.repository)));
    if (!seen.insert(blob.digest).second)
      throw VerificationError(fmt::format("{}: index: {} is listed twice", where, ctx));
    if (paths.contains(blob_entry_path(blob.digest)))
      throw VerificationError(fmt::format("{}: index: {} is also an entry of the bundle", where, ctx));
    out.omitted.push_back(std::move(blob));
  }
  return out;
}

}  // namespace

const OmittedBlob* BundleDelta::find(const Digest& digest) const {
  for (const auto& o : omitted)
    if (o.digest == digest) return &o;
  return nullptr;
}

std::uint64_t BundleDelta::omitted_bytes() const {
  std::uint64_t total = 0;
  for (const auto& o : omitted) total += o.size;
  return total;
}

BundleIndex BundleIndex::parse(std::string_view json, std::string_view where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw VerificationError(fmt::format("{}: index is not JSON: {}", where, e.what()));
  }
  // An integer exactly: 1.9 or 2^32 + 1 must not read as 1.
  const auto version = field<nlohmann::json>(j, "formatVersion", "the index", where);
  if (!version.is_number())
    throw VerificationError(fmt::format("{}: index: the index.formatVersion has the wrong type", where));
  if (!version.is_number_unsigned() || version.get<std::uint64_t>() < k_bundle_format_version ||
      version.get<std::uint64_t>() > k_bundle_format_version_delta)
    throw VerificationError(fmt::format("{}: bundle format version {} is not supported (this airlock reads {} to {})",
                                        where, version.dump(), k_bundle_format_version, k_bundle_format_version_delta));
  BundleIndex idx;
  const auto release = field<nlohmann::json>(j, "release", "the index", where);
  idx.name = field<std::string>(release, "name", "release", where);
  idx.version = field<std::string>(release, "version", "release", where);
  idx.sequence = field<std::uint64_t>(release, "sequence", "release", where);
  // The name becomes a directory, a state key and a receipt path; both go
  // into commit messages.
  if (!is_valid_release_name(idx.name))
    throw VerificationError(fmt::format("{}: index: release name \"{}\" is not [a-z0-9][a-z0-9._-]* (at most 63, no "
                                        "\"..\", not \"overlays\")",
                                        where, printable(idx.name)));
  if (!is_valid_release_version(idx.version))
    throw VerificationError(fmt::format("{}: index: release version \"{}\" is not [A-Za-z0-9][A-Za-z0-9._+-]*", where,
                                        printable(idx.version)));
  idx.created = time_field(j, "created", where);
  if (j.contains("expires")) idx.expires = time_field(j, "expires", where);

  std::set<std::string> paths;
  bool seen_blob = false;
  std::uint64_t yaml_bytes = 0;
  for (const auto& e : field<nlohmann::json>(j, "entries", "the index", where)) {
    IndexEntry entry;
    entry.path = field<std::string>(e, "path", "an entry", where);
    const auto ctx = "entry " + entry.path;
    entry.sha256 = digest_field("sha256:" + field<std::string>(e, "sha256", ctx, where), ctx, where);
    entry.size = field<std::uint64_t>(e, "size", ctx, where);
    // Unpacked, the bundle is an OCI layout: a blob's name is its digest.
    if (entry.path.starts_with("blobs/") && entry.path != blob_entry_path(entry.sha256))
      throw VerificationError(fmt::format("{}: index lists \"{}\" with sha256 {}: a blob's path must be its digest",
                                          where, entry.path, entry.sha256.hex()));
    if (const auto why = unsafe_path_reason(entry.path); !why.empty())
      throw VerificationError(fmt::format("{}: index lists unsafe entry \"{}\": {}", where, entry.path, why));
    if (entry.path == k_envelope_entry || !paths.insert(entry.path).second)
      throw VerificationError(fmt::format("{}: index lists entry \"{}\" twice", where, entry.path));
    // The importer renders the YAML before the first blob streams by.
    seen_blob = seen_blob || entry.path.starts_with("blobs/");
    if (seen_blob && entry.path.starts_with("manifests/"))
      throw VerificationError(fmt::format("{}: index lists \"{}\" after a blob: the release's YAML comes before every "
                                          "blob",
                                          where, entry.path));
    // The importer holds the YAML whole: bounded before a byte of it is read.
    if (entry.path.starts_with("manifests/")) {
      if (entry.size > k_max_yaml_file)
        throw VerificationError(fmt::format("{}: index lists \"{}\" of {} bytes: more than the {} a YAML file may hold",
                                            where, entry.path, entry.size, k_max_yaml_file));
      yaml_bytes += entry.size;
      if (yaml_bytes > k_max_release_yaml)
        throw VerificationError(fmt::format("{}: the release's YAML passes {} bytes at \"{}\": more than an importer "
                                            "holds",
                                            where, k_max_release_yaml, entry.path));
    }
    idx.entries.push_back(std::move(entry));
  }
  if (j.contains("manifestSources"))
    for (const auto& m : field<nlohmann::json>(j, "manifestSources", "the index", where))
      idx.manifest_sources.push_back({field<std::string>(m, "git", "a manifest source", where),
                                      field<std::string>(m, "ref", "a manifest source", where),
                                      field<std::string>(m, "commit", "a manifest source", where),
                                      field<std::string>(m, "path", "a manifest source", where)});
  if (j.contains("values"))
    for (const auto& v : field<nlohmann::json>(j, "values", "the index", where)) {
      DeclaredValue d{field<std::string>(v, "name", "a value", where),
                      field<std::string>(v, "description", "a value", where), std::nullopt};
      if (v.contains("default")) d.default_value = field<std::string>(v, "default", "value " + d.name, where);
      if (!is_valid_value_name(d.name))
        throw VerificationError(fmt::format("{}: index: value name \"{}\" is malformed", where, d.name));
      idx.values.push_back(std::move(d));
    }
  if (j.contains("kustomize")) {
    // A format-1 reader ignores the field: a bundle that has it says so by its version.
    if (version.get<std::uint64_t>() < k_bundle_format_version_kustomize)
      throw VerificationError(fmt::format("{}: index: \"kustomize\" needs format version {}, the index says {}", where,
                                          k_bundle_format_version_kustomize, version.dump()));
    for (const auto& k : field<nlohmann::json>(j, "kustomize", "the index", where))
      idx.kustomize.push_back(parse_kustomize_entry(k, paths, where));
  }
  if (j.contains("delta")) {
    // A reader that predates it would find the omitted blobs missing: a
    // bundle that has it says so by its version.
    if (version.get<std::uint64_t>() < k_bundle_format_version_delta)
      throw VerificationError(fmt::format("{}: index: \"delta\" needs format version {}, the index says {}", where,
                                          k_bundle_format_version_delta, version.dump()));
    idx.delta = parse_delta(field<nlohmann::json>(j, "delta", "the index", where), idx.sequence, paths, where);
  }
  std::set<std::string> names;
  for (const auto& i : field<nlohmann::json>(j, "images", "the index", where)) {
    IndexImage img;
    img.name = field<std::string>(i, "name", "an image", where);
    const auto ctx = "image " + img.name;
    img.repository = field<std::string>(i, "repository", ctx, where);
    img.tag = field<std::string>(i, "tag", ctx, where);
    img.source = field<std::string>(i, "source", ctx, where);
    img.digest = digest_field(field<std::string>(i, "digest", ctx, where), ctx, where);
    img.media_type = field<std::string>(i, "mediaType", ctx, where);
    img.size = field<std::uint64_t>(i, "size", ctx, where);
    img.platforms = field<std::vector<std::string>>(i, "platforms", ctx, where);
    if (i.contains("sourceDigest"))
      img.source_digest = digest_field(field<std::string>(i, "sourceDigest", ctx, where), ctx, where);
    if (!is_valid_repository(img.repository) || !is_valid_tag(img.tag) || img.name != img.repository + ":" + img.tag)
      throw VerificationError(fmt::format("{}: index: image name \"{}\" is malformed", where, img.name));
    if (!names.insert(img.name).second)
      throw VerificationError(fmt::format("{}: index: image \"{}\" appears twice", where, img.name));
    if (!paths.contains(blob_entry_path(img.digest)))
      throw VerificationError(
          fmt::format("{}: index: image {} names manifest {} that is not an entry", where, img.name, img.digest.str()));
    idx.images.push_back(std::move(img));
  }
  return idx;
}

const IndexEntry* BundleIndex::find_entry(std::string_view path) const {
  for (const auto& e : entries)
    if (e.path == path) return &e;
  return nullptr;
}

std::uint64_t BundleIndex::total_entry_bytes() const {
  std::uint64_t total = 0;
  for (const auto& e : entries) total += e.size;
  return total;
}

}  // namespace airlock
