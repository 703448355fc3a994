#pragma once
// Splitting a finished bundle into parts with parity, and joining parts
// back into the bundle file, byte for byte (docs/FORMAT.md section 15).
// Neither verifies the bundle's signature: they move bytes, and every
// chunk is checked against its digest on the way back.

#include "common/progress.hpp"
#include "formats/part_writer.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace airlock {

struct SplitResult {
  PartIdentity identity;
  std::uint64_t bundle_size = 0;
  std::vector<std::filesystem::path> parts;
};

// The identity (bundle digest, release) comes from the bundle's envelope,
// which must parse. Throws UsageError, VerificationError, Error.
[[nodiscard]] SplitResult split_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir,
                                       const PartLayout& layout, Progress& progress);

struct JoinResult {
  std::uint64_t bundle_size = 0;
  std::uint64_t decoded_chunks = 0;
};

// The one set of parts among `inputs` (formats/part_set.hpp), decoded into
// `output`, which appears only once it is whole.
[[nodiscard]] JoinResult join_parts(const std::vector<std::filesystem::path>& inputs,
                                    const std::filesystem::path& output, Progress& progress);

// Creates `dir` when it is missing (not its parents); UsageError when it is
// something else.
void prepare_part_dir(const std::filesystem::path& dir);

}  // namespace airlock
