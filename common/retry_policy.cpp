#include "common/retry_policy.hpp"

#include "common/http_transport.hpp"

#include <algorithm>

namespace airlock {

bool RetryPolicy::retryable(const HttpResponse& r) noexcept {
  if (r.status == 0) return !r.fatal;
  return r.status == 408 || r.status == 429 || r.status >= 500;
}

std::chrono::milliseconds RetryPolicy::delay(int attempt, const HttpResponse& r) const {
  const int doublings = std::clamp(attempt - 1, 0, 16);
  std::chrono::milliseconds wait =
      std::min<std::chrono::milliseconds>(backoff * (1 << doublings), std::max(backoff, max_retry_after));
  if (r.status == 429 || r.status == 503)
    if (const auto after = parse_retry_after(r.header("Retry-After"), max_retry_after)) wait = *after;
  return wait;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::milliseconds cap) noexcept {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  const long long cap_seconds = std::max<long long>(0, cap.count() / 1000);
  long long seconds = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    if (seconds <= cap_seconds) seconds = seconds * 10 + (c - '0');  // stops growing past the cap
  }
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), cap);
}

}  // namespace airlock
