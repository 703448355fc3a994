#include "formats/image_reference.hpp"

#include "common/error.hpp"
#include "formats/image_name.hpp"

#include <fmt/format.h>

#include <algorithm>

// The grammar (distribution/reference, reference.go):
//
//   reference := name [":" tag] ["@" digest]
//   name      := [domain "/"] path
//   domain    := host [":" port]          port := [0-9]+
//   host      := domain-name | "[" [A-Fa-f0-9:]+ "]"
//   domain-name      := domain-component ("." domain-component)*
//   domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
//   path, tag: formats/image_name.hpp; digest := algorithm ":" [0-9a-fA-F]{32,}
//
// and ParseNormalizedNamed on top of it: a bare 64-hex string is refused;
// the first "/"-separated component is the domain only when it contains "."
// or ":", is "localhost", or has an uppercase letter (splitDockerDomain),
// else the domain is docker.io; on docker.io a one-component path gets
// "library/". One left-to-right pass, no backtracking: the first "/" ends
// the domain, the first "@" after it starts the digest, the first ":"
// before that starts the tag (a path has no ":" or "@").

namespace airlock {
namespace {

constexpr std::string_view k_docker_hub = "docker.io";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

bool has_upper(std::string_view s) { return std::any_of(s.begin(), s.end(), is_upper); }

bool is_domain_component(std::string_view c) {
  return !c.empty() && is_alnum(c.front()) && is_alnum(c.back()) &&
         all_of(c, [](char ch) { return is_alnum(ch) || ch == '-'; });
}

bool is_domain_name(std::string_view name) { return all_parts(name, '.', is_domain_component); }

// splitDockerDomain's test of a first component.
bool reads_as_host(std::string_view first) {
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos || has_upper(first);
}

// The grammar's digest, whatever the algorithm: told apart from garbage only
// to say why a reference is refused.
bool is_any_digest(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const auto encoded = s.substr(colon + 1);
  if (encoded.size() < 32 || !all_of(encoded, is_hex)) return false;
  bool at_component_start = true;
  for (const char c : s.substr(0, colon)) {
    if (at_component_start) {
      if (!is_alpha(c)) return false;
      at_component_start = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      at_component_start = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  return !at_component_start;
}

// Returns an empty string on success, else why `text` is not a reference.
std::string parse_into(std::string_view text, ImageReference& ref) {
  if (text.empty()) return "empty reference";
  if (text.size() > k_max_reference) return fmt::format("longer than {} characters", k_max_reference);
  if (text.size() == 64 && all_of(text, is_lower_hex))
    return "a 64-digit hexadecimal string is an image ID, not a repository name";

  std::string_view rest = text;
  ref.registry = k_docker_hub;
  if (const auto slash = text.find('/'); slash != std::string_view::npos && reads_as_host(text.substr(0, slash))) {
    const auto host = text.substr(0, slash);
    if (!is_valid_domain(host)) return fmt::format("\"{}\" is not a valid registry host[:port]", host);
    ref.registry = host;
    rest = text.substr(slash + 1);
  }
  // Docker Hub under its other names (docker itself maps only index.docker.io).
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") ref.registry = k_docker_hub;

  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const auto digest = rest.substr(at + 1);
    ref.digest = Digest::parse(digest);
    if (!ref.digest)
      return is_any_digest(digest) && !digest.starts_with("sha256:")
                 ? fmt::format("\"{}\" is not a sha256 digest (airlock supports no other algorithm)", digest)
                 : fmt::format("\"{}\" is not a sha256 digest (sha256: and 64 lowercase hex digits)", digest);
    rest = rest.substr(0, at);
  }
  if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!is_valid_tag(*ref.tag)) return fmt::format("\"{}\" is not a valid tag", *ref.tag);
    rest = rest.substr(0, colon);
  }
  ref.repository = rest;
  if (ref.registry == k_docker_hub && rest.find('/') == std::string_view::npos) ref.repository.insert(0, "library/");
  if (ref.repository.size() > k_max_repository)
    return fmt::format("repository path \"{}\" is longer than {} characters", ref.repository, k_max_repository);
  if (!is_valid_repository(ref.repository))
    return has_upper(ref.repository)
               ? fmt::format("\"{}\" is not a valid repository path: it must be lowercase", ref.repository)
               : fmt::format("\"{}\" is not a valid repository path (lowercase letters and digits, joined by . _ "
                             "__ or - and separated by /)",
                             ref.repository);
  if (!ref.tag && !ref.digest) ref.tag = "latest";
  // So that str() parses again: ":latest" may take it past the limit.
  if (const auto full = ref.str().size(); full > k_max_reference)
    return fmt::format("longer than {} characters written in full ({}, with its tag)", k_max_reference, full);
  return {};
}

}  // namespace

bool is_valid_domain(std::string_view domain) {
  std::string_view port;
  if (domain.starts_with('[')) {
    const auto close = domain.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    if (!all_of(domain.substr(1, close - 1), [](char c) { return is_hex(c) || c == ':'; })) return false;
    port = domain.substr(close + 1);
  } else {
    const auto colon = domain.find(':');
    if (!is_domain_name(domain.substr(0, colon))) return false;
    if (colon != std::string_view::npos) port = domain.substr(colon);
  }
  return port.empty() || (port.size() > 1 && port.front() == ':' && all_of(port.substr(1), is_digit));
}

bool is_registry_host(std::string_view host) { return is_valid_domain(host) && reads_as_host(host); }

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
