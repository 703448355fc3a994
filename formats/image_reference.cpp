#include "formats/image_reference.hpp"

#include "common/error.hpp"
#include "formats/image_name.hpp"

#include <fmt/format.h>

#include <regex>

namespace airlock {
namespace {

// Returns an empty string on success, else why `text` is not a reference.
std::string parse_into(std::string_view text, ImageReference& ref) {
  if (text.empty()) return "empty reference";
  if (text.size() > 512) return "longer than 512 characters";
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const auto digest = Digest::parse(rest.substr(at + 1));
    if (!digest) return fmt::format("\"{}\" is not a sha256 digest", rest.substr(at + 1));
    ref.digest = *digest;
    rest = rest.substr(0, at);
  }
  const auto last_slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!is_valid_tag(*ref.tag)) return fmt::format("\"{}\" is not a valid tag", *ref.tag);
    rest = rest.substr(0, colon);
  }
  const auto first_slash = rest.find('/');
  const auto first = rest.substr(0, first_slash);
  const bool has_host = first_slash != std::string_view::npos &&
                        (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
                         first == "localhost");
  if (has_host) {
    ref.registry = std::string(first);
    ref.repository = std::string(rest.substr(first_slash + 1));
    // host[:port], as docker reads it: the port is 1 to 5 digits.
    static const std::regex host_re("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?");
    if (!std::regex_match(ref.registry, host_re))
      return fmt::format("\"{}\" is not a valid registry host[:port]", ref.registry);
  } else {
    ref.registry = "docker.io";
    ref.repository = std::string(rest);
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") ref.registry = "docker.io";
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  if (!is_valid_repository(ref.repository))
    return fmt::format("\"{}\" is not a valid repository path (lowercase letters, digits, . _ - /)", ref.repository);
  if (!ref.tag && !ref.digest) ref.tag = "latest";
  return {};
}

}  // namespace

std::string ImageReference::str() const {
  std::string out = registry + "/" + repository;
  if (tag) out += ":" + *tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string ImageReference::bundle_name() const {
  if (tag) return repository + ":" + *tag;
  return repository + ":sha256-" + digest->hex();
}

ImageReference ImageReference::parse(std::string_view text, std::string_view where) {
  ImageReference ref;
  if (const auto why = parse_into(text, ref); !why.empty())
    throw UsageError(fmt::format("{}: image reference \"{}\": {}", where, text, why));
  return ref;
}

std::optional<ImageReference> ImageReference::try_parse(std::string_view text) {
  ImageReference ref;
  if (!parse_into(text, ref).empty()) return std::nullopt;
  return ref;
}

}  // namespace airlock
