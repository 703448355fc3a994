#include "common/registry_auth.hpp"

#include "common/base64.hpp"
#include "common/credential_helper.hpp"
#include "common/error.hpp"
#include "common/file_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>

namespace airlock {
namespace {

// "https://index.docker.io/v1/" → "docker.io"; "host:5000/" → "host:5000".
std::string normalise_host(std::string key) {
  for (const char* scheme : {"https://", "http://"})
    if (key.starts_with(scheme)) key = key.substr(std::string_view(scheme).size());
  if (const auto slash = key.find('/'); slash != std::string::npos) key = key.substr(0, slash);
  if (key == "index.docker.io" || key == "registry-1.docker.io") key = "docker.io";
  return key;
}

}  // namespace

AuthStore AuthStore::load(const std::optional<std::filesystem::path>& explicit_path) {
  std::filesystem::path path;
  bool must_exist = true;
  if (explicit_path) {
    path = *explicit_path;
  } else if (const char* env = std::getenv("REGISTRY_AUTH_FILE"); env && *env) {
    path = env;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    path = std::filesystem::path(home) / ".docker" / "config.json";
    must_exist = false;
  } else {
    return {};
  }
  AuthStore store;
  std::error_code ec;
  if (!must_exist && !std::filesystem::exists(path, ec)) return store;
  store.m_source = path.string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_small_file(path, 4 * 1024 * 1024));
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("auth file {} is not JSON: {}", path.string(), e.what()));
  }
  if (!j.is_object()) throw UsageError(fmt::format("auth file {} is not a JSON object", path.string()));
  if (j.contains("credsStore")) {
    if (!j["credsStore"].is_string())
      throw UsageError(fmt::format("auth file {}: \"credsStore\" is not a string", path.string()));
    store.m_default_helper = j["credsStore"].get<std::string>();
  }
  if (j.contains("credHelpers")) {
    if (!j["credHelpers"].is_object())
      throw UsageError(fmt::format("auth file {}: \"credHelpers\" is not an object", path.string()));
    for (const auto& [key, helper] : j["credHelpers"].items()) {
      if (!helper.is_string())
        throw UsageError(
            fmt::format("auth file {}: the credHelpers entry of \"{}\" is not a string", path.string(), key));
      store.m_helpers[normalise_host(key)] = helper.get<std::string>();
    }
  }
  if (!j.contains("auths")) return store;
  if (!j["auths"].is_object()) throw UsageError(fmt::format("auth file {}: \"auths\" is not an object", path.string()));
  for (const auto& [key, entry] : j["auths"].items()) {
    if (!entry.is_object()) continue;
    Credentials c;
    if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
      const auto decoded = base64_decode(entry["auth"].get<std::string>());
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos)
        throw UsageError(
            fmt::format("auth file {}: the auth of \"{}\" is not base64 of user:password", path.string(), key));
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    }
    if (entry.contains("identitytoken") && entry["identitytoken"].is_string())
      c.identity_token = entry["identitytoken"].get<std::string>();
    if (c.username.empty() && c.identity_token.empty()) continue;
    store.m_entries[normalise_host(key)] = c;
  }
  return store;
}

std::optional<Credentials> AuthStore::find(std::string_view host) {
  const auto key = normalise_host(std::string(host));
  const auto helper_it = m_helpers.find(key);
  const std::string helper = helper_it != m_helpers.end() ? helper_it->second : m_default_helper;
  if (!helper.empty()) {
    auto asked = m_asked.find(key);
    if (asked == m_asked.end()) {
      // docker stores Docker Hub under its historical address.
      const std::string server = key == "docker.io" ? "https://index.docker.io/v1/" : key;
      std::optional<Credentials> found;
      try {
        if (const auto c = run_credential_helper(helper, server, helper_timeout)) {
          Credentials creds;
          if (c->username == "<token>")
            creds.identity_token = c->secret;
          else
            creds = {c->username, c->secret, {}};
          found = creds;
        }
      } catch (const UsageError& e) {
        throw UsageError(fmt::format("auth file {}: {}", m_source, e.what()));
      }
      m_asked_helper = "docker-credential-" + helper;
      asked = m_asked.emplace(key, found).first;
    }
    if (asked->second) return asked->second;
  }
  const auto it = m_entries.find(key);
  if (it == m_entries.end()) return std::nullopt;
  return it->second;
}

std::string AuthStore::source() const {
  return m_asked_helper.empty() ? m_source : fmt::format("{} (and {})", m_source, m_asked_helper);
}

std::optional<AuthChallenge> parse_auth_challenge(std::string_view header) {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  skip_space();
  AuthChallenge c;
  while (i < header.size() && header[i] != ' ')
    c.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++])));
  if (c.scheme.empty()) return std::nullopt;
  while (i < header.size()) {
    skip_space();
    std::string key;
    while (i < header.size() && header[i] != '=' && header[i] != ',')
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++])));
    if (i >= header.size() || header[i] != '=') {
      ++i;
      continue;
    }
    ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i++];
      }
      ++i;
    } else {
      while (i < header.size() && header[i] != ',') value += header[i++];
    }
    c.params[key] = value;
    skip_space();
    if (i < header.size() && header[i] == ',') ++i;
  }
  return c;
}

}  // namespace airlock
