#include "formats/names.hpp"

#include <algorithm>
#include <cctype>

namespace airlock {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 when it is not well-formed
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned min = 0;
  unsigned cp = 0;
  if ((c & 0xE0) == 0xC0)
    n = 2, min = 0x80, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 3, min = 0x800, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 4, min = 0x10000, cp = c & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp >= 0x80 && cp <= 0x9F) return 0;  // C1 controls
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string unsafe_component_reason(std::string_view c) {
  if (c.empty()) return "empty path component";
  if (c == ".") return "\".\" component";
  if (c == "..") return "\"..\" component";
  for (std::size_t i = 0; i < c.size();) {
    const auto byte = static_cast<unsigned char>(c[i]);
    if (byte < 0x20 || byte == 0x7f) return "control character in path";
    if (c[i] == '\\') return "backslash in path";
    if (c[i] == '/') return "'/' in a path component";
    const auto n = utf8_length(c, i);
    if (n == 0) return "control character or invalid UTF-8 in path";
    i += n;
  }
  std::string trimmed = lower(c);
  while (!trimmed.empty() && (trimmed.back() == '.' || trimmed.back() == ' ')) trimmed.pop_back();
  if (trimmed == ".git" || trimmed == "git~1") return "\".git\" component (git's own metadata)";
  return {};
}

std::string unsafe_path_reason(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.size() > k_max_entry_path) return "path longer than 1024 bytes";
  if (path.front() == '/') return "absolute path";
  if (path.find('\\') != std::string_view::npos) return "backslash in path";
  for (std::size_t start = 0; start <= path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (const auto why = unsafe_component_reason(path.substr(start, end - start)); !why.empty()) return why;
    start = end + 1;
  }
  return {};
}

std::string release_dir_reason(std::string_view dir) {
  if (const auto why = unsafe_path_reason(dir); !why.empty()) return why;
  for (std::size_t start = 0; start < dir.size();) {
    const auto end = std::min(dir.find('/', start), dir.size());
    if (dir[start] == '.') return "a component starts with '.' (.airlock/ holds airlock's state)";
    start = end + 1;
  }
  const auto first = dir.substr(0, dir.find('/'));
  if (first == "overlays") return "overlays/ is where environment branches keep their kustomize overlays";
  return {};
}

bool is_valid_release_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.find("..") != std::string_view::npos) return false;
  if (!release_dir_reason(name).empty()) return false;
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '.' || c == '_' || c == '-'));
  };
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!ok(name[i], i == 0)) return false;
  return true;
}

bool is_valid_release_version(std::string_view v) {
  if (v.empty() || v.size() > 128) return false;
  const auto ok = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '.' || c == '_' || c == '+' || c == '-'));
  };
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!ok(v[i], i == 0)) return false;
  return true;
}

bool release_dirs_overlap(std::string_view a, std::string_view b) {
  const auto within = [](std::string_view inner, std::string_view outer) {
    return inner == outer || (inner.size() > outer.size() && inner.starts_with(outer) && inner[outer.size()] == '/');
  };
  return within(a, b) || within(b, a);
}

}  // namespace airlock
