#pragma once
// UTC timestamps as the bundle index writes them: RFC 3339, "Z", whole seconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

[[nodiscard]] std::string format_utc(std::int64_t unix_seconds);
// Accepts exactly "YYYY-MM-DDTHH:MM:SSZ"; nullopt otherwise.
[[nodiscard]] std::optional<std::int64_t> parse_utc(std::string_view text);
// Seconds since the epoch, now.
[[nodiscard]] std::int64_t unix_now();

}  // namespace airlock
