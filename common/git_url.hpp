#pragma once
// The git remote URLs airlock accepts, their parts (for matching stored
// credentials), and the form every message, report and index shows them in:
// any password or token in the URL replaced by ***.

#include <optional>
#include <string>
#include <string_view>

namespace airlock {

// scheme://[user[:password]@]host[:port][/path], decoded for matching:
// scheme and host lowercase, user and password percent-decoded, an https
// port 443 dropped, the path without leading or trailing '/' (and without
// a query or fragment).
struct GitUrl {
  std::string scheme, user, password, host, port, path;
};

// nullopt for what is not scheme://host...: a local path, scp-like
// host:path, or an empty host.
[[nodiscard]] std::optional<GitUrl> parse_git_url(std::string_view url);

// Throws UsageError naming the URL (redacted) unless it is file://, git://,
// ssh:// (git+ssh://, ssh+git://), https://, an absolute path or scp-like
// [user@]host:path.
void check_git_url(const std::string& url);

// The URL with the password of any user:password@ in it replaced by ***;
// other URLs as they are.
[[nodiscard]] std::string redact_git_url(const std::string& url);

// %XX sequences decoded; a '%' not followed by two hex digits is kept.
[[nodiscard]] std::string percent_decode(std::string_view text);

}  // namespace airlock
