#include "formats/image_name.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace airlock {
namespace {

// Hand-written rather than std::regex: libstdc++'s regex backtracks
// recursively, and these run on every string discovery considers.

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_word(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_'; }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := "." | "_" | "__" | "-"+
bool is_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front())) return false;
  std::size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    if (c[i] == '_') {
      if (j < c.size() && c[j] == '_') ++j;
    } else if (c[i] == '-') {
      while (j < c.size() && c[j] == '-') ++j;
    } else if (c[i] != '.') {
      return false;
    }
    if (j == c.size() || !is_lower_alnum(c[j])) return false;
    i = j;
  }
  return true;
}

}  // namespace

bool is_valid_repository(std::string_view repo) {
  return !repo.empty() && repo.size() <= k_max_repository && all_parts(repo, '/', is_path_component);
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > k_max_tag || !is_word(tag.front())) return false;
  for (const char c : tag)
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

ImageName ImageName::parse(std::string_view text, std::string_view where) {
  ImageName name;
  const auto colon = text.rfind(':');
  const auto slash = text.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    name.repository = text.substr(0, colon);
    name.tag = text.substr(colon + 1);
  } else {
    name.repository = text;
    name.tag = "latest";
  }
  if (!is_valid_repository(name.repository))
    throw UsageError(fmt::format("{}: image name \"{}\": \"{}\" is not a valid repository path (lowercase letters, "
                                 "digits, separators . _ - and /)",
                                 where, text, name.repository));
  if (!is_valid_tag(name.tag))
    throw UsageError(fmt::format("{}: image name \"{}\": \"{}\" is not a valid tag", where, text, name.tag));
  return name;
}

}  // namespace airlock
