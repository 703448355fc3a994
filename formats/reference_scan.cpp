#include "formats/reference_scan.hpp"

namespace airlock {
namespace {

bool reference_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '/' || c == '@' || c == '[' || c == ']' || c == '-';
}

std::optional<ImageReference> qualified(std::string_view token) {
  const auto slash = token.find('/');
  if (slash == std::string_view::npos || token.size() > k_max_reference) return std::nullopt;
  const auto host = token.substr(0, slash);
  if (host != "localhost" && host.find_first_of(".:") == std::string_view::npos) return std::nullopt;
  if (!is_registry_host(host)) return std::nullopt;
  auto ref = ImageReference::try_parse(token);
  if (!ref) return std::nullopt;
  // "quay.io/org/app" untagged is a path more often than an image.
  const auto last = token.substr(token.rfind('/'));
  if (!ref->digest && last.find(':') == std::string_view::npos) return std::nullopt;
  return ref;
}

}  // namespace

bool is_qualified_reference(std::string_view token) { return qualified(token).has_value(); }

std::vector<TextReference> references_in_text(std::string_view text) {
  std::vector<TextReference> out;
  for (std::size_t i = 0; i < text.size();) {
    if (!reference_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && reference_char(text[end])) ++end;
    auto token = text.substr(i, end - i);
    // Prose and YAML put a ':' or '.' right after a word.
    while (!token.empty() && (token.back() == '.' || token.back() == ':')) token.remove_suffix(1);
    if (auto ref = qualified(token)) out.push_back({i, std::string(token), std::move(*ref)});
    i = end;
  }
  return out;
}

}  // namespace airlock
