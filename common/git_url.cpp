#include "common/git_url.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace airlock {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<GitUrl> parse_git_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  GitUrl u;
  u.scheme = lower(std::string(url.substr(0, scheme_end)));
  auto rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto info = authority.substr(0, at);
    const auto colon = info.find(':');
    u.user = percent_decode(info.substr(0, colon));
    if (colon != std::string_view::npos) u.password = percent_decode(info.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  const auto port_colon = authority.rfind(':');
  if (port_colon != std::string_view::npos && authority.find(']', port_colon) == std::string_view::npos) {
    u.port = authority.substr(port_colon + 1);
    authority = authority.substr(0, port_colon);
  }
  u.host = lower(std::string(authority));
  if (u.host.empty()) return std::nullopt;
  if (u.scheme == "https" && u.port == "443") u.port.clear();
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  u.path = percent_decode(path);
  return u;
}

void check_git_url(const std::string& url) {
  static constexpr std::string_view schemes[] = {"file://", "git://", "ssh://", "git+ssh://", "ssh+git://", "https://"};
  for (const auto s : schemes)
    if (url.starts_with(s) && url.size() > s.size()) return;
  if (url.starts_with('/')) return;  // a local path
  const auto colon = url.find(':');  // [user@]host:path, as git and ssh read it
  if (url.find("://") == std::string::npos && colon != std::string::npos && colon > 0 && url.find('/') > colon) return;
  throw UsageError(fmt::format("git remote \"{}\": unsupported URL; use file://, git://, ssh:// (or user@host:path) "
                               "or https://",
                               redact_git_url(url)));
}

std::string redact_git_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto start = scheme_end + 3;
  const auto at = url.substr(0, url.find('/', start)).rfind('@');
  if (at == std::string::npos || at < start) return url;
  const auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace airlock
