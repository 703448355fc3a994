#pragma once
// Sizes as a person writes them: "4GiB", "700MB", "25G", "1048576".

#include <cstdint>
#include <optional>
#include <string_view>

namespace airlock {

// Digits, then optionally one of K, M, G, T (powers of 1000; KB, MB, ...
// the same) or KiB, MiB, GiB, TiB (powers of 1024), case as written here
// or in lower case. nullopt for anything else, zero, or more than 2^63.
[[nodiscard]] std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace airlock
