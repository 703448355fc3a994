#include "importer/image_rewrite.hpp"

#include "common/error.hpp"
#include "formats/image_discovery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace airlock {
namespace {

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  char quote = 0;  // '"', '\'' or 0 for a plain scalar
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The bytes of the scalar whose node starts at `pos` (after any anchor and
// tag), and its value as YAML reads it; nullopt when it is not a
// single-line plain or quoted scalar.
std::optional<std::pair<Span, std::string>> scalar_at(std::string_view text, std::size_t pos) {
  while (pos < text.size() && (text[pos] == '&' || text[pos] == '!')) {
    while (pos < text.size() && !is_space(text[pos])) ++pos;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  if (pos >= text.size()) return std::nullopt;
  Span span{pos, pos, 0};
  std::string value;
  const char first = text[pos];
  if (first == '"' || first == '\'') {
    span.quote = first;
    std::size_t i = pos + 1;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\n') return std::nullopt;
      if (first == '"' && c == '\\') {
        if (i + 1 >= text.size() || (text[i + 1] != '"' && text[i + 1] != '\\')) return std::nullopt;
        value += text[++i];
      } else if (first == '\'' && c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        value += '\'';
        ++i;
      } else if (c == first) {
        break;
      } else {
        value += c;
      }
    }
    if (i >= text.size()) return std::nullopt;
    span.end = i + 1;
  } else {
    if (first == '|' || first == '>') return std::nullopt;
    std::size_t i = pos;
    // An image reference has no spaces, commas, brackets or '#'.
    while (i < text.size() && !is_space(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}' &&
           text[i] != '#')
      ++i;
    span.end = i;
    value = std::string(text.substr(pos, i - pos));
  }
  return std::pair{span, value};
}

}  // namespace

RenderedYaml render_images(std::string_view yaml, std::string_view file,
                           const std::function<std::optional<std::string>(const ImageReference&)>& target) {
  const auto found = discover_images(yaml, file);
  // Offset → replacement; an alias shares its anchor's offset, so each
  // scalar is rewritten once.
  std::map<std::size_t, std::pair<Span, std::string>> edits;
  RenderedYaml out;
  for (const auto* list : {&found.images, &found.warnings}) {
    for (const auto& img : *list) {
      const auto to = target(img.reference);
      if (!to) continue;
      const auto scalar = scalar_at(yaml, img.offset);
      if (!scalar || scalar->second != img.text)
        throw UsageError(fmt::format("{}: cannot rewrite the image \"{}\" in place; write it as a one-line plain or "
                                     "quoted scalar",
                                     img.where, img.text));
      if (edits.contains(scalar->first.begin)) continue;
      const Span& s = scalar->first;
      const std::string quoted = s.quote ? fmt::format("{0}{1}{0}", s.quote, *to) : *to;
      edits.emplace(s.begin, std::pair{s, quoted});
      out.rewrites.push_back({img.where, img.text, *to});
    }
  }
  out.text.reserve(yaml.size() + edits.size() * 80);
  std::size_t at = 0;
  for (const auto& [begin, edit] : edits) {
    out.text.append(yaml.substr(at, begin - at));
    out.text.append(edit.second);
    at = edit.first.end;
  }
  out.text.append(yaml.substr(at));
  std::sort(out.rewrites.begin(), out.rewrites.end(), [](const auto& a, const auto& b) { return a.where < b.where; });
  return out;
}

}  // namespace airlock
