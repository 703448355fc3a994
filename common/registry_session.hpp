#pragma once
// A registry's auth session: the Authorization header for each scope
// ("repository:NAME:pull,push"), learned from the registry's 401 challenge
// (basic from the auth file, or a bearer token from the challenge's realm,
// one scope parameter per scope it names), and the request loop that
// applies it: one re-authentication per request on a 401, retries under
// the RetryPolicy, the token service's own retries under the same policy.
//
// Safe to use from several threads: one token request per scope at a time.

#include "common/error.hpp"
#include "common/http_transport.hpp"
#include "common/registry_auth.hpp"
#include "common/retry_policy.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace airlock {

class RegistrySession {
public:
  // `host` names the registry in messages and the auth file; `origin` is
  // scheme://api-host[:port]. `plain_http`: the registry may be spoken to
  // (and its token realm reached) over http://.
  RegistrySession(std::string host, std::string origin, AuthStore auth, HttpTransport& transport, RetryPolicy retry,
                  bool plain_http);

  [[nodiscard]] const std::string& host() const noexcept { return m_host; }
  [[nodiscard]] const std::string& origin() const noexcept { return m_origin; }
  [[nodiscard]] const RetryPolicy& retry() const noexcept { return m_retry; }

  // One attempt of a request, with the headers to send.
  using Attempt = std::function<HttpResponse(const HttpHeaders& headers)>;

  // `attempt` with the scope's Authorization added to `headers` (only when
  // `url` is on the registry's origin), a 401 answered once by
  // authenticating, retryable answers retried. Returns the first answer that
  // is not retried. RemoteError naming `what`: access denied, a failure that
  // outlasted the retries, a fatal transport failure, a token service that
  // failed.
  [[nodiscard]] HttpResponse send(const std::string& scope, const std::string& what, const std::string& url,
                                  const HttpHeaders& headers, const Attempt& attempt);

  // The same for a request whose streamed body cannot be sent twice: never
  // retried or re-authenticated once it started; what would be is a
  // RemoteError (a re-run resumes).
  [[nodiscard]] HttpResponse send_once(const std::string& scope, const std::string& what, const std::string& url,
                                       const HttpHeaders& headers, const Attempt& attempt);

  // The headers with the scope's Authorization, when `url` may carry it.
  [[nodiscard]] HttpHeaders authorized(const std::string& scope, const std::string& url, HttpHeaders headers);

private:
  [[nodiscard]] bool carries_credentials(const std::string& origin) const;
  // Refreshes the scope's Authorization from a challenge unless another
  // thread already replaced `stale` meanwhile.
  void authenticate(const std::string& scope, const HttpResponse& challenged, const std::string& what,
                    const std::string& stale);
  [[nodiscard]] std::string fetch_token(const std::string& scope, const std::string& realm,
                                        const std::map<std::string, std::string>& params, const std::string& what);
  [[nodiscard]] std::string authorization(const std::string& scope);
  [[nodiscard]] RemoteError failure(const std::string& what, const std::string& text) const;

  std::string m_host;
  std::string m_origin;
  AuthStore m_auth;  // guarded by m_auth_mutex (a credential helper's answers are cached)
  HttpTransport& m_transport;
  RetryPolicy m_retry;
  bool m_plain_http;
  std::mutex m_mutex;                                  // guards m_authorization
  std::mutex m_auth_mutex;                             // one token request at a time
  std::map<std::string, std::string> m_authorization;  // scope → Authorization header
};

}  // namespace airlock
