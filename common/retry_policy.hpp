#pragma once
// When the registry client tries again, and how long it waits first: the
// one retry policy of every loop (registry requests, the token service,
// blob resumes).
//
// Retried: a transport failure that is not fatal (a refused or dropped
// connection, a timeout), 408, 429 and 5xx. The wait doubles from `backoff`;
// a Retry-After of delta-seconds on a 429 or 503 replaces it, capped at
// `max_retry_after`. Retry-After is parsed without exceptions: digits only,
// saturating; anything else (an HTTP-date, garbage) is ignored.

#include <chrono>
#include <optional>
#include <string_view>

namespace airlock {

struct HttpResponse;

struct RetryPolicy {
  int attempts = 4;
  std::chrono::milliseconds backoff{250};
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(30)};

  [[nodiscard]] static bool retryable(const HttpResponse& r) noexcept;
  // How long to wait after failed attempt number `attempt` (1-based).
  [[nodiscard]] std::chrono::milliseconds delay(int attempt, const HttpResponse& r) const;
};

// Retry-After's delta-seconds, saturated at `cap`; nullopt unless the value
// is all digits (optionally surrounded by spaces).
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                                         std::chrono::milliseconds cap) noexcept;

}  // namespace airlock
