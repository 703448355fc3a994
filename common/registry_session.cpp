#include "common/registry_session.hpp"

#include "common/base64.hpp"
#include "common/error.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace airlock {

RegistrySession::RegistrySession(std::string host, std::string origin, AuthStore auth, HttpTransport& transport,
                                 RetryPolicy retry, bool plain_http)
    : m_host(std::move(host)),
      m_origin(std::move(origin)),
      m_auth(std::move(auth)),
      m_transport(transport),
      m_retry(retry),
      m_plain_http(plain_http) {}

RemoteError RegistrySession::failure(const std::string& what, const std::string& text) const {
  return RemoteError(fmt::format("registry {}: {}: {}", m_host, what, text));
}

std::string RegistrySession::authorization(const std::string& scope) {
  std::lock_guard lock(m_mutex);
  const auto it = m_authorization.find(scope);
  return it == m_authorization.end() ? std::string() : it->second;
}

// The one rule for credentials: the registry's own (basic, or a token its
// token service issued) go only to the registry's origin; the token realm
// gets the basic credentials only when the registry's own challenge named
// it (fetch_token). Any other origin (an upload location elsewhere, blob
// storage behind a redirect) gets none, and its challenge is refused.
bool RegistrySession::carries_credentials(const std::string& origin) const {
  return origin.empty() || origin == m_origin;
}

HttpHeaders RegistrySession::authorized(const std::string& scope, const std::string& url, HttpHeaders headers) {
  headers.erase("Authorization");
  if (carries_credentials(split_url(url).first))
    if (const auto a = authorization(scope); !a.empty()) headers["Authorization"] = a;
  return headers;
}

HttpResponse RegistrySession::send(const std::string& scope, const std::string& what, const std::string& url,
                                   const HttpHeaders& headers, const Attempt& attempt) {
  bool authenticated_now = false;
  HttpResponse r;
  for (int n = 1; n <= m_retry.attempts;) {
    const HttpHeaders h = authorized(scope, url, headers);
    const auto sent = h.contains("Authorization") ? h.at("Authorization") : std::string();
    r = attempt(h);
    if (r.status == 401 && !carries_credentials(r.origin))
      throw failure(what,
                    fmt::format("{} (not the registry) answered 401{}: the registry's credentials go only to "
                                "{} and the token service it names, so none were sent",
                                r.origin, r.header("WWW-Authenticate").empty() ? "" : " with a challenge", m_origin));
    if (r.status == 401 && !authenticated_now) {
      authenticate(scope, r, what, sent);
      authenticated_now = true;
      continue;
    }
    if (r.status == 401 || r.status == 403)
      throw failure(what, fmt::format("access denied (HTTP {}) with the credentials from {}{}", r.status,
                                      m_auth.source(), short_body(r.body)));
    if (r.status == 0 && r.fatal) throw failure(what, r.problem);
    if (!RetryPolicy::retryable(r)) return r;
    if (n == m_retry.attempts) break;
    std::this_thread::sleep_for(m_retry.delay(n, r));
    ++n;
  }
  throw failure(what, fmt::format("failed after {} attempts: {}", m_retry.attempts, describe_failure(r)));
}

HttpResponse RegistrySession::send_once(const std::string& scope, const std::string& what, const std::string& url,
                                        const HttpHeaders& headers, const Attempt& attempt) {
  return send(scope, what, url, headers, [&](const HttpHeaders& h) {
    HttpResponse r = attempt(h);
    if (r.status == 401 || RetryPolicy::retryable(r) || (r.status == 0 && r.fatal))
      throw failure(what, describe_failure(r));
    return r;
  });
}

void RegistrySession::authenticate(const std::string& scope, const HttpResponse& challenged, const std::string& what,
                                   const std::string& stale) {
  std::lock_guard auth_lock(m_auth_mutex);
  if (const auto current = authorization(scope); !current.empty() && current != stale) return;
  const auto challenge = parse_auth_challenge(challenged.header("WWW-Authenticate"));
  if (!challenge) throw failure(what, "unauthorized, and no usable WWW-Authenticate challenge");
  const auto creds = m_auth.find(m_host);
  if (challenge->scheme == "basic") {
    if (!creds || creds->username.empty())
      throw failure(what, fmt::format("the registry requires credentials and there are none for {} in {} (docker "
                                      "login / --auth-file / $REGISTRY_AUTH_FILE)",
                                      m_host, m_auth.source()));
    std::lock_guard lock(m_mutex);
    m_authorization[scope] = "Basic " + base64_encode(creds->username + ":" + creds->password);
    return;
  }
  if (challenge->scheme != "bearer")
    throw failure(what, fmt::format("unsupported auth scheme \"{}\"", challenge->scheme));
  const auto realm = challenge->params.find("realm");
  if (realm == challenge->params.end()) throw failure(what, "bearer challenge without a realm");
  const std::string token = fetch_token(scope, realm->second, challenge->params, what);
  std::lock_guard lock(m_mutex);
  m_authorization[scope] = "Bearer " + token;
}

// The token service: GET realm?service=&scope= (basic credentials when
// known), or the OAuth2 refresh-token POST for an identity token.
std::string RegistrySession::fetch_token(const std::string& scope, const std::string& realm,
                                         const std::map<std::string, std::string>& params, const std::string& what) {
  const auto [origin, path] = split_url(realm);
  if (origin.empty() || (!origin.starts_with("https://") && !m_plain_http))
    throw failure(what, fmt::format("token realm {} is not an https URL", realm));
  const auto creds = m_auth.find(m_host);
  httplib::Params query;
  if (const auto s = params.find("service"); s != params.end()) query.emplace("service", s->second);
  // The challenge's scope may name several (a mount needs pull on the
  // source repository too): one scope parameter each, as docker sends them.
  const std::string scopes = params.contains("scope") ? params.at("scope") : scope;
  for (std::size_t p = 0; p < scopes.size();) {
    const auto space = std::min(scopes.find(' ', p), scopes.size());
    if (space > p) query.emplace("scope", scopes.substr(p, space - p));
    p = space + 1;
  }
  // Named captures: clang 14 cannot capture structured bindings by default.
  const auto fetch = [&, &origin = origin, &path = path]() {
    if (creds && !creds->identity_token.empty()) {
      auto form = query;
      form.emplace("grant_type", "refresh_token");
      form.emplace("refresh_token", creds->identity_token);
      form.emplace("client_id", "airlock");
      return m_transport.post(origin + path, {}, httplib::detail::params_to_query_str(form),
                              "application/x-www-form-urlencoded", k_max_token_response_bytes);
    }
    HttpHeaders headers;
    if (creds) headers["Authorization"] = "Basic " + base64_encode(creds->username + ":" + creds->password);
    return m_transport.get(origin + httplib::append_query_params(path, query), headers, k_max_token_response_bytes);
  };
  HttpResponse res = fetch();
  for (int attempt = 1; RetryPolicy::retryable(res) && attempt < m_retry.attempts; ++attempt) {
    std::this_thread::sleep_for(m_retry.delay(attempt, res));
    res = fetch();
  }
  if (res.status == 0) throw failure(what, fmt::format("token service {} failed: {}", realm, res.problem));
  if (res.status == 401 || res.status == 403)
    throw failure(what, fmt::format("the token service refused the credentials from {} (HTTP {})", m_auth.source(),
                                    res.status));
  if (res.status != 200)
    throw failure(what, fmt::format("token service answered HTTP {}{}", res.status, short_body(res.body)));
  if (res.oversized)
    throw failure(what, fmt::format("token service {}: the answer is larger than {} bytes "
                                    "(k_max_token_response_bytes): refused",
                                    realm, k_max_token_response_bytes));
  const auto j = nlohmann::json::parse(res.body, nullptr, false);
  std::string token;
  if (j.is_object() && j.contains("token") && j["token"].is_string())
    token = j["token"];
  else if (j.is_object() && j.contains("access_token") && j["access_token"].is_string())
    token = j["access_token"];
  if (token.empty()) throw failure(what, "token service gave no token");
  return token;
}

}  // namespace airlock
