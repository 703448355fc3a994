#pragma once
// The one error hierarchy of airlock. The type decides the exit code that
// DESIGN.md fixes; the message names what failed and where.

#include <stdexcept>
#include <string>

namespace airlock {

enum class ExitCode : int {
  ok = 0,
  other = 1,
  usage = 2,         // usage or configuration error
  verification = 3,  // signature, digest, unsafe archive, rollback, expiry
  remote = 4,        // a registry or git remote failed
};

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  [[nodiscard]] virtual ExitCode exit_code() const noexcept { return ExitCode::other; }
};

class UsageError : public Error {
public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::usage; }
};

class VerificationError : public Error {
public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::verification; }
};

class RemoteError : public Error {
public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::remote; }
};

// errno as text, for messages about files.
[[nodiscard]] std::string errno_text(int err);

// The last OpenSSL error queue entry as text (and clears the queue).
[[nodiscard]] std::string openssl_error_text();

}  // namespace airlock
