#pragma once
// Where a planned image's bytes come from: a local OCI layout or a
// registry. Resolving reads only manifests (small); layers are streamed
// later, straight into the bundle, by each blob's `stream`.

#include "common/registry_access.hpp"
#include "common/registry_client.hpp"
#include "formats/bundle_index.hpp"
#include "formats/oci_types.hpp"
#include "formats/release_spec.hpp"
#include "packer/release_plan.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace airlock {

struct SourcedBlob {
  Descriptor descriptor;
  std::string origin;                           // for messages: a file, or registry/repository
  std::function<void(const ByteSink&)> stream;  // emits the blob's bytes, unverified
};

// A small blob held in memory (a manifest, a config, a filtered index).
[[nodiscard]] SourcedBlob memory_blob(const Descriptor& d, std::string origin, std::string bytes);

struct ResolvedImage {
  IndexImage image;
  std::vector<SourcedBlob> manifests;  // the root first, then an index's children
  std::vector<SourcedBlob> configs;
  std::vector<SourcedBlob> layers;
};

// oci:PATH[:REF], PATH relative to the spec. Throws UsageError or
// VerificationError naming the layout and blob.
[[nodiscard]] ResolvedImage resolve_layout_image(const ReleaseSpec& spec, const PlannedImage& image);

// Registry images, through the spec's mirrors, one client per host.
class RegistrySource {
public:
  RegistrySource(const ReleaseSpec& spec, RegistryOptions options, AuthStore auth);
  // Throws RemoteError / VerificationError naming the image and registry.
  // Safe to call from several threads.
  [[nodiscard]] ResolvedImage resolve(const PlannedImage& image);

private:
  RegistryClient& client(const std::string& host);
  const ReleaseSpec& m_spec;
  RegistryOptions m_options;
  AuthStore m_auth;
  std::mutex m_mutex;  // guards m_clients
  std::map<std::string, std::unique_ptr<RegistryClient>> m_clients;
};

// The spec's registries with the site's access (CA, credentials, plain-HTTP hosts).
[[nodiscard]] RegistrySource registry_source(const ReleasePlan& plan, const RegistryAccess& access);

// Pulls every planned image's manifests and configs (small) and prepares
// its layers to stream from `registries`, which must outlive them. A few
// images at a time: each is a few small requests, latency more than bytes.
// A failure is the first image's in plan order, as one at a time.
[[nodiscard]] std::vector<ResolvedImage> resolve_images(const ReleasePlan& plan, RegistrySource& registries,
                                                        int parallel);

}  // namespace airlock
