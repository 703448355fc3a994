#include "common/error.hpp"
#include "common/http_limits.hpp"
#include "common/parallel_for.hpp"
#include "formats/image_name.hpp"
#include "formats/oci_layout.hpp"
#include "packer/image_source.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace airlock {

SourcedBlob memory_blob(const Descriptor& d, std::string origin, std::string bytes) {
  SourcedBlob b{d, std::move(origin), {}};
  b.stream = [bytes = std::move(bytes)](const ByteSink& sink) {
    sink(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  };
  return b;
}

RegistrySource registry_source(const ReleasePlan& plan, const RegistryAccess& access) {
  RegistryOptions registry_options;
  registry_options.ca_file = access.ca_file;
  registry_options.insecure_hosts.insert(access.insecure_hosts.begin(), access.insecure_hosts.end());
  return RegistrySource(plan.spec, registry_options, AuthStore::load(access.auth_file));
}

std::vector<ResolvedImage> resolve_images(const ReleasePlan& plan, RegistrySource& registries, int parallel) {
  std::vector<ResolvedImage> images(plan.images.size());
  parallel_for_after_first(plan.images.size(), static_cast<std::size_t>(std::max(1, parallel)), [&](std::size_t i) {
    const auto& p = plan.images[i];
    images[i] = p.reference ? registries.resolve(p) : resolve_layout_image(plan.spec, p);
  });
  return images;
}

RegistrySource::RegistrySource(const ReleaseSpec& spec, RegistryOptions options, AuthStore auth)
    : m_spec(spec), m_options(std::move(options)), m_auth(std::move(auth)) {}

RegistryClient& RegistrySource::client(const std::string& host) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_clients[host];
  if (!slot) slot = std::make_unique<RegistryClient>(host, m_options, m_auth);
  return *slot;
}

ResolvedImage RegistrySource::resolve(const PlannedImage& p) {
  const ImageReference& ref = *p.reference;
  // A mirror serves the host's repositories under its own path prefix.
  std::string host = ref.registry;
  std::string repository = ref.repository;
  std::string via;
  if (const auto m = m_spec.mirrors.find(ref.registry); m != m_spec.mirrors.end()) {
    const auto slash = m->second.find('/');
    host = m->second.substr(0, slash);
    if (slash != std::string::npos) repository = m->second.substr(slash + 1) + "/" + repository;
    via = fmt::format(" (via mirror {})", m->second);
  }
  RegistryClient& c = client(host);
  const std::string origin = fmt::format("{}/{}", host, repository);
  const std::string where = fmt::format("registry {}: {}", host, repository);  // for the limits' refusals
  try {
    const ImageName name = ImageName::parse(p.name, p.found_at.front());
    ResolvedImage r;
    r.image.name = name.str();
    r.image.repository = name.repository;
    r.image.tag = name.tag;
    r.image.source = p.source;

    const auto root = c.get_manifest(repository, ref.digest ? ref.digest->str() : *ref.tag);
    const auto parsed =
        parse_manifest(root.bytes, "", fmt::format("{} {}", origin, root.digest.str())).value_or_throw<RemoteError>();
    if (!root.media_type.empty() && root.media_type != parsed.media_type && root.media_type != "application/json")
      throw RemoteError(
          fmt::format("{}: served as {} but the manifest says {}", origin, root.media_type, parsed.media_type));
    r.image.media_type = parsed.media_type;
    if (auto filtered = filter_index(root.bytes, m_spec.platforms, origin)) {
      r.image.source_digest = root.digest;
      r.image.digest = Sha256::of(*filtered);
      Descriptor desc{parsed.media_type, r.image.digest, filtered->size(), {}, {}};
      r.manifests.push_back(memory_blob(desc, origin + " (index filtered by platform)", std::move(*filtered)));
    } else {
      r.image.digest = root.digest;
      Descriptor desc{parsed.media_type, root.digest, root.bytes.size(), {}, {}};
      r.manifests.push_back(memory_blob(desc, origin, root.bytes));
    }

    // What this image keeps in memory: its manifests and configs.
    std::uint64_t held = root.bytes.size();
    const auto hold = [&](std::uint64_t size, const std::string& what) {
      held += size;
      if (held > k_max_image_json_bytes)
        throw RemoteError(fmt::format("{}: {} would bring the image's manifests and configs past {} bytes "
                                      "(k_max_image_json_bytes): refused",
                                      where, what, k_max_image_json_bytes));
    };
    std::vector<ParsedManifest> images;
    if (parsed.is_index) {
      if (parsed.manifests.size() > k_max_index_children)
        throw RemoteError(fmt::format("{}: the index lists {} manifests, more than {} (k_max_index_children): refused",
                                      where, parsed.manifests.size(), k_max_index_children));
      for (const auto& child : parsed.manifests) {
        if (!platform_selected(child, m_spec.platforms)) continue;
        if (is_index_media_type(child.media_type))
          throw RemoteError(fmt::format("{}: nested indexes are not supported", origin));
        if (child.size > k_max_manifest_bytes)
          throw RemoteError(fmt::format("{}: manifest {} is {} bytes, more than {} (k_max_manifest_bytes): refused",
                                        where, child.digest.str(), child.size, k_max_manifest_bytes));
        hold(child.size, "manifest " + child.digest.str());
        const auto m = c.get_manifest(repository, child.digest.str());
        if (m.bytes.size() != child.size)
          throw VerificationError(fmt::format("{}: manifest {} is {} bytes, its index says {}", origin,
                                              child.digest.str(), m.bytes.size(), child.size));
        images.push_back(parse_manifest(m.bytes, child.media_type, fmt::format("{} {}", origin, child.digest.str()))
                             .value_or_throw<RemoteError>());
        r.manifests.push_back(memory_blob(child, origin, m.bytes));
        if (child.platform) r.image.platforms.push_back(*child.platform);
      }
      if (images.empty())
        throw UsageError(fmt::format("image {}: has none of the platforms the spec asks for", ref.str()));
    } else {
      images.push_back(parsed);
    }
    std::set<Digest> seen;
    for (const auto& m : images) {
      // Configs are small JSON: fetched now, checked, kept in memory.
      if (seen.insert(m.config->digest).second) {
        const auto& d = *m.config;
        if (d.size > k_max_config_bytes)
          throw RemoteError(fmt::format("{}: config {} is {} bytes, more than {} (k_max_config_bytes): refused", where,
                                        d.digest.str(), d.size, k_max_config_bytes));
        hold(d.size, "config " + d.digest.str());
        std::string bytes;
        c.get_blob(repository, d.digest, d.size, [&](std::span<const std::uint8_t> chunk) {
          bytes.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        });
        if (Sha256::of(bytes) != d.digest)
          throw VerificationError(fmt::format("{}: config blob does not match its digest {}", origin, d.digest.str()));
        if (!parsed.is_index) {
          const auto config = nlohmann::json::parse(bytes, nullptr, false);
          if (config.is_object() && config.value("os", "") != "" && config.value("architecture", "") != "")
            r.image.platforms.push_back(config["os"].get<std::string>() + "/" +
                                        config["architecture"].get<std::string>());
        }
        r.configs.push_back(memory_blob(d, origin, std::move(bytes)));
      }
      for (const auto& layer : m.layers) {
        if (!seen.insert(layer.digest).second) continue;
        if (layer.size > k_max_blob_bytes)
          throw RemoteError(fmt::format("{}: layer {} is {} bytes, more than any real layer ({}, k_max_blob_bytes): "
                                        "refused",
                                        where, layer.digest.str(), layer.size, k_max_blob_bytes));
        SourcedBlob b{layer, origin, {}};
        b.stream = [&c, repository, layer](const ByteSink& sink) {
          c.get_blob(repository, layer.digest, layer.size, sink);
        };
        r.layers.push_back(std::move(b));
      }
    }
    std::sort(r.image.platforms.begin(), r.image.platforms.end());
    for (const auto* list : {&r.manifests, &r.configs, &r.layers})
      for (const auto& b : *list) r.image.size += b.descriptor.size;
    return r;
  } catch (const RemoteError& e) {
    throw RemoteError(fmt::format("image {}{}: {}", ref.str(), via, e.what()));
  } catch (const VerificationError& e) {
    throw VerificationError(fmt::format("image {}{}: {}", ref.str(), via, e.what()));
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw RemoteError(fmt::format("image {}{}: {}", ref.str(), via, e.what()));
  }
}

}  // namespace airlock
