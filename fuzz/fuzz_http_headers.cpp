// The registry's response headers airlock parses: WWW-Authenticate
// (parse_auth_challenge) and Retry-After (parse_retry_after), on one
// header value each.
// Properties: a challenge's scheme is "basic" or "bearer" in lowercase
// when it parses; a Retry-After never exceeds its cap, and is exactly the
// seconds written (capped) when they are few digits.

#include "common/registry_auth.hpp"
#include "common/retry_policy.hpp"
#include "fuzz/fuzz_support.hpp"

#include <algorithm>

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  fuzz::refusals_expected([&] {
    if (const auto c = parse_auth_challenge(text)) {
      fuzz::check(std::none_of(c->scheme.begin(), c->scheme.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }),
                  "a challenge's scheme is not lowercase", c->scheme);
    }
  });
  const std::chrono::milliseconds cap = std::chrono::seconds(30);
  if (const auto after = parse_retry_after(text, cap)) {
    fuzz::check(*after <= cap && after->count() >= 0, "Retry-After outside [0, cap]", text);
    auto digits = text;
    while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
    while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
    if (digits.size() <= 2)
      fuzz::check(*after ==
                      std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoll(std::string(digits))), cap),
                  "Retry-After misread", text);
  }
  return 0;
}
