#pragma once
// The one wording of what a delta bundle relies on, for every report that
// shows a bundle (pack, inspect, verify, import): its bases, the blobs it
// leaves to the site registry, and the bytes it carries.

#include "formats/bundle_index.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

// [{bundleDigest, sequence, version}] of each base, and
// "sequence N (V, bundle sha256:…) or sequence M (…)".
[[nodiscard]] nlohmann::ordered_json delta_bases_json(const BundleDelta& delta);
[[nodiscard]] std::string delta_bases_text(const BundleDelta& delta);

// Null for a full bundle.
[[nodiscard]] nlohmann::ordered_json delta_json(const BundleIndex& index);
// "delta of sequence N (bundle sha256:…): carries …, leaves … to the
// registry\n"; empty for a full bundle.
[[nodiscard]] std::string delta_text(const BundleIndex& index);

}  // namespace airlock
