#pragma once
// Standard base64 (RFC 4648, with padding) over OpenSSL's EVP encoder.

#include <optional>
#include <string>
#include <string_view>

namespace airlock {

[[nodiscard]] std::string base64_encode(std::string_view data);
// Strict: rejects whitespace, missing padding and bytes outside the alphabet.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace airlock
