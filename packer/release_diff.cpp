#include "packer/release_diff.hpp"

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/printable.hpp"
#include "packer/delta_plan.hpp"
#include "packer/pack_report.hpp"
#include "packer/release_plan.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <map>
#include <set>

namespace airlock {
namespace {

bool is_zstd_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw UsageError(fmt::format("cannot open {}: {}", path.string(), errno_text(errno)));
  std::array<unsigned char, 4> magic{};
  const auto n = ::read(fd.get(), magic.data(), magic.size());
  return n == 4 && magic == std::array<unsigned char, 4>{0x28, 0xb5, 0x2f, 0xfd};
}

const char* kind_name(ImageChange::Kind k) {
  switch (k) {
    case ImageChange::Kind::added: return "added";
    case ImageChange::Kind::removed: return "removed";
    case ImageChange::Kind::changed: return "changed";
    case ImageChange::Kind::unchanged: return "unchanged";
  }
  return "unknown";
}

std::string bytes_text(std::uint64_t n) {
  return n >= 10 * 1024 * 1024 ? fmt::format("{:.1f} MiB", static_cast<double>(n) / (1024.0 * 1024.0))
                               : fmt::format("{} bytes", n);
}

}  // namespace

ReleaseContents release_contents(const std::filesystem::path& path, const std::vector<PublicKey>& trusted,
                                 const RegistryAccess& access, const GitOptions& git, int fetches, Progress& progress) {
  if (is_zstd_file(path)) return bundle_contents(path, trusted, progress);
  const ReleasePlan plan = plan_release(path, git);
  report_plan_notices(plan, progress);
  RegistrySource registries = registry_source(plan, access);
  const auto images = resolve_images(plan, registries, fetches);
  BundleIndex index;
  index.name = plan.spec.name;
  index.version = plan.spec.version;
  index.sequence = plan.spec.sequence;
  return resolved_contents(path.string(), index, images);
}

ReleaseDiff diff_releases(ReleaseContents old_release, ReleaseContents new_release) {
  ReleaseDiff diff;
  const std::set<Digest>& old_blobs = old_release.carried;
  std::vector<bool> matched(old_release.images.size(), false);
  const auto match = [&](const ImageContents& img) -> const ImageContents* {
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t i = 0; i < old_release.images.size(); ++i) {
        const auto& o = old_release.images[i];
        if (matched[i] || (pass == 0 ? o.name != img.name : o.repository != img.repository)) continue;
        matched[i] = true;
        return &o;
      }
    return nullptr;
  };
  for (const auto& img : new_release.images) {
    ImageChange c;
    c.name = img.name;
    c.new_digest = img.digest;
    if (const auto* o = match(img)) {
      c.old_name = o->name;
      c.old_digest = o->digest;
      c.kind = o->digest == img.digest ? ImageChange::Kind::unchanged : ImageChange::Kind::changed;
    } else {
      c.kind = ImageChange::Kind::added;
    }
    std::set<Digest> seen;
    for (const auto* list : {&img.configs, &img.layers})
      for (const auto& d : *list) {
        if (!seen.insert(d.digest).second) continue;
        ++c.blobs;
        if (old_blobs.contains(d.digest)) continue;
        ++c.new_blobs;
        c.new_bytes += d.size;
      }
    diff.images.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < old_release.images.size(); ++i)
    if (!matched[i]) {
      ImageChange c;
      c.kind = ImageChange::Kind::removed;
      c.name = c.old_name = old_release.images[i].name;
      c.old_digest = old_release.images[i].digest;
      diff.images.push_back(std::move(c));
    }

  const BundleDelta delta = plan_delta(new_release.images, {old_release});
  std::set<Digest> omitted;
  for (const auto& o : delta.omitted) omitted.insert(o.digest);
  std::set<Digest> counted;
  for (const auto& img : new_release.images)
    for (const auto* list : {&img.manifests, &img.configs, &img.layers})
      for (const auto& d : *list) {
        if (!counted.insert(d.digest).second) continue;
        if (omitted.contains(d.digest)) {
          ++diff.omitted_blobs;
          diff.omitted_bytes += d.size;
        } else {
          ++diff.carried_blobs;
          diff.carried_bytes += d.size;
        }
      }
  diff.old_release = std::move(old_release);
  diff.new_release = std::move(new_release);
  return diff;
}

Report diff_report(const ReleaseDiff& d) {
  const auto side = [](const ReleaseContents& r) {
    nlohmann::ordered_json j = {{"source", r.source},
                                {"name", r.name},
                                {"version", r.version},
                                {"sequence", r.sequence},
                                {"verified", r.verified}};
    j["bundleDigest"] = r.bundle_digest ? nlohmann::ordered_json(r.bundle_digest->str()) : nullptr;
    return j;
  };
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  std::string text = fmt::format("old: {} {} (sequence {}) from {}{}\nnew: {} {} (sequence {}) from {}{}\n",
                                 printable(d.old_release.name), printable(d.old_release.version),
                                 d.old_release.sequence, printable(d.old_release.source),
                                 d.old_release.verified ? "" : " (NOT VERIFIED: give --key or --base-pubkey)",
                                 printable(d.new_release.name), printable(d.new_release.version),
                                 d.new_release.sequence, printable(d.new_release.source),
                                 d.new_release.verified ? "" : " (NOT VERIFIED: give --key or --base-pubkey)");
  for (const auto& c : d.images) {
    const auto digest = [](const std::optional<Digest>& x) {
      return x ? nlohmann::ordered_json(x->str()) : nlohmann::ordered_json(nullptr);
    };
    images.push_back(
        {{"name", c.name},
         {"oldName", c.old_name.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.old_name)},
         {"change", kind_name(c.kind)},
         {"oldDigest", digest(c.old_digest)},
         {"newDigest", digest(c.new_digest)},
         {"blobs", c.blobs},
         {"newBlobs", c.new_blobs},
         {"newBytes", c.new_bytes}});
    const char mark = c.kind == ImageChange::Kind::added     ? '+'
                      : c.kind == ImageChange::Kind::removed ? '-'
                      : c.kind == ImageChange::Kind::changed ? '~'
                                                             : '=';
    text += fmt::format("{} {}{}", mark, printable(c.name),
                        !c.old_name.empty() && c.old_name != c.name ? " (was " + printable(c.old_name) + ")" : "");
    if (c.kind == ImageChange::Kind::removed)
      text += "  removed\n";
    else if (c.kind == ImageChange::Kind::unchanged)
      text += "  unchanged\n";
    else
      text += fmt::format("  {}: {} of {} blobs new, {}\n", kind_name(c.kind), c.new_blobs, c.blobs,
                          bytes_text(c.new_bytes));
  }
  text += fmt::format("a delta would carry {} blobs ({}) and leave {} ({}) to the registry\n", d.carried_blobs,
                      bytes_text(d.carried_bytes), d.omitted_blobs, bytes_text(d.omitted_bytes));
  nlohmann::ordered_json j = {{"old", side(d.old_release)}, {"new", side(d.new_release)}, {"images", images}};
  j["delta"] = {{"carriedBlobs", d.carried_blobs},
                {"carriedBytes", d.carried_bytes},
                {"omittedBlobs", d.omitted_blobs},
                {"omittedBytes", d.omitted_bytes}};
  return {j, text};
}

}  // namespace airlock
