#include "formats/image_name.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <regex>

namespace airlock {

bool is_valid_repository(std::string_view repo) {
  static const std::regex re(
      "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*");
  return repo.size() <= 255 && std::regex_match(repo.begin(), repo.end(), re);
}

bool is_valid_tag(std::string_view tag) {
  static const std::regex re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  return std::regex_match(tag.begin(), tag.end(), re);
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
    throw UsageError(fmt::format(
        "{}: image name \"{}\": \"{}\" is not a valid repository path (lowercase letters, "
        "digits, separators . _ - and /)",
        where, text, name.repository));
  if (!is_valid_tag(name.tag))
    throw UsageError(fmt::format("{}: image name \"{}\": \"{}\" is not a valid tag", where, text,
                                 name.tag));
  return name;
}

}  // namespace airlock
