#include "formats/kustomize_image.hpp"

namespace airlock {
namespace {

bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '{' || c == '}' || c == '-';
}

// The characters after ':' or "@sha256:" up to the first that is not a tag character.
std::size_t tag_run(std::string_view s, std::size_t from) {
  while (from < s.size() && is_tag_char(s[from])) ++from;
  return from;
}

}  // namespace

SplitImage split_kustomize_image(std::string_view value) {
  // A registry's ":port" comes before the first '/': the tag is searched after it.
  std::size_t base = value.find('/');
  if (base == std::string_view::npos || base == 0) base = 0;
  const auto search = value.substr(base);
  const auto at = search.find('@');
  const auto colon = search.find(':');
  SplitImage out;
  if (at == std::string_view::npos && colon == std::string_view::npos) {
    out.name = value;
  } else if (at != std::string_view::npos && (colon == std::string_view::npos || at < colon)) {
    out.name = value.substr(0, base + at);
    out.digest = value.substr(base + at + 1);
  } else if (at != std::string_view::npos) {
    out.name = value.substr(0, base + colon);
    out.tag = value.substr(base + colon + 1, at - colon - 1);
    out.digest = value.substr(base + at + 1);
  } else {
    out.name = value.substr(0, base + colon);
    out.tag = value.substr(base + colon + 1);
  }
  return out;
}

bool kustomize_image_matches(std::string_view name, std::string_view value) {
  if (value.size() < name.size()) return false;
  // ^NAME, where '.' is any character but a newline (Go's regexp).
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.' ? value[i] == '\n' : name[i] != value[i]) return false;
  }
  // (:[A-Za-z0-9_.{}-]*)?(@sha256:[A-Za-z0-9_.{}-]*)?$
  std::size_t at = name.size();
  if (at < value.size() && value[at] == ':') at = tag_run(value, at + 1);
  constexpr std::string_view k_digest = "@sha256:";
  if (value.substr(at).starts_with(k_digest)) at = tag_run(value, at + k_digest.size());
  return at == value.size();
}

std::string apply_kustomize_image(const KustomizeImage& entry, std::string_view value) {
  if (!kustomize_image_matches(entry.name, value)) return std::string(value);
  auto parts = split_kustomize_image(value);
  if (!entry.new_name.empty()) parts.name = entry.new_name;
  if (!entry.new_tag.empty() && !entry.digest.empty()) {
    parts.tag = entry.new_tag;
    parts.digest = entry.digest;
  } else if (!entry.new_tag.empty()) {
    parts.tag = entry.new_tag;
    parts.digest.clear();
  } else if (!entry.digest.empty()) {
    parts.tag.clear();
    parts.digest = entry.digest;
  }
  std::string out = parts.name;
  if (!parts.tag.empty()) out += ":" + parts.tag;
  if (!parts.digest.empty()) out += "@" + parts.digest;
  return out;
}

std::string kustomize_image_name_reason(std::string_view name) {
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "it holds a control character";
    if (std::string_view("\\+*?()|[]{}^$").find(c) != std::string_view::npos)
      return std::string("it holds \"") + c + "\", which kustomize reads as part of a regular expression";
  }
  return {};
}

}  // namespace airlock
