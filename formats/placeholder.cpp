#include "formats/placeholder.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {

namespace {
constexpr std::string_view k_open = "${airlock:";
bool name_char(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}
}  // namespace

bool is_valid_value_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0)) return false;
  return true;
}

std::vector<Placeholder> find_placeholders(std::string_view text, std::string_view file) {
  std::vector<Placeholder> out;
  std::size_t line = 1;
  std::size_t counted = 0;  // text[0, counted) has `line - 1` newlines
  for (std::size_t at = text.find(k_open); at != std::string_view::npos; at = text.find(k_open, at + 1)) {
    line += static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                                text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted = at;
    const auto close = text.find('}', at + k_open.size());
    const auto name = close == std::string_view::npos ? std::string_view{}
                                                      : text.substr(at + k_open.size(), close - at - k_open.size());
    if (!is_valid_value_name(name))
      throw UsageError(fmt::format("{}:{}: malformed placeholder: write ${{airlock:NAME}} with NAME of letters, "
                                   "digits and _",
                                   file, line));
    out.push_back({std::string(name), at, close + 1 - at, line});
  }
  return out;
}

}  // namespace airlock
