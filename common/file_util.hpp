#pragma once
// Small whole-file helpers for inputs that are bounded by design (keys,
// specs, YAML, OCI JSON). Large content is always streamed, never read here.

#include <cstdint>
#include <filesystem>
#include <string>

namespace airlock {

// Reads a regular file of at most max_size bytes. Throws UsageError naming
// the path when it is missing, not a regular file, unreadable or too large.
[[nodiscard]] std::string read_small_file(const std::filesystem::path& path, std::uint64_t max_size);

}  // namespace airlock
