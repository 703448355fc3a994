#pragma once
// Which blobs a delta leaves out: every layer a base bundle carried, and
// nothing else. Manifests, indexes and configs are always carried (they are
// small, and the importer needs them to know what each image is); a layer a
// base only omitted itself is carried again unless another base carried it,
// so a delta relies only on bytes that a signed bundle of its chain brought.

#include "formats/bundle_index.hpp"
#include "packer/release_contents.hpp"

#include <vector>

namespace airlock {

// `images` in archive order. Each omitted layer is expected at the site in
// the repository of an image of the new release that needs it, when a base
// image of that repository needed it too (the blob is there already), else
// in the repository of the first base image that needed it. The delta
// names each base that is a bundle, in the order given.
[[nodiscard]] BundleDelta plan_delta(const std::vector<ImageContents>& images,
                                     const std::vector<ReleaseContents>& bases);

}  // namespace airlock
