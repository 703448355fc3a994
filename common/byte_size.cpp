#include "common/byte_size.hpp"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace airlock {

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (n > (UINT64_MAX - d) / 10) return std::nullopt;
    n = n * 10 + d;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string unit(text.substr(i));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::array<std::pair<std::string_view, std::uint64_t>, 17> units{{
      {"", 1},
      {"b", 1},
      {"k", 1000},
      {"kb", 1000},
      {"m", 1000'000},
      {"mb", 1000'000},
      {"g", 1000'000'000},
      {"gb", 1000'000'000},
      {"t", 1000'000'000'000},
      {"tb", 1000'000'000'000},
      {"kib", 1ULL << 10},
      {"mib", 1ULL << 20},
      {"gib", 1ULL << 30},
      {"tib", 1ULL << 40},
      {"ki", 1ULL << 10},
      {"mi", 1ULL << 20},
      {"gi", 1ULL << 30},
  }};
  for (const auto& [name, factor] : units)
    if (unit == name) {
      if (n == 0 || n > (1ULL << 63) / factor) return std::nullopt;
      return n * factor;
    }
  return std::nullopt;
}

}  // namespace airlock
