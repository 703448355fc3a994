#pragma once
// A value or the reason there is none: how the thin parsers report
// failure. The caller, which knows what the input was and whose fault a
// defect is, types it once (`value_or_throw<VerificationError>()`).

#include <string>
#include <utility>
#include <variant>

namespace airlock {

template <typename T>
class [[nodiscard]] Expected {
public:
  Expected(T value) : m_state(std::move(value)) {}  // NOLINT: implicit, as std::expected's
  [[nodiscard]] static Expected failure(std::string why) { return Expected(Failure{std::move(why)}); }

  [[nodiscard]] bool ok() const noexcept { return std::holds_alternative<T>(m_state); }
  explicit operator bool() const noexcept { return ok(); }
  // The reason; empty when ok().
  [[nodiscard]] const std::string& error() const noexcept {
    static const std::string none;
    return ok() ? none : std::get<Failure>(m_state).why;
  }
  // The value; only when ok().
  [[nodiscard]] const T& operator*() const& { return std::get<T>(m_state); }
  [[nodiscard]] T& operator*() & { return std::get<T>(m_state); }
  [[nodiscard]] const T* operator->() const { return &std::get<T>(m_state); }

  // The value, or ErrorType(error()) thrown.
  template <typename ErrorType>
  [[nodiscard]] T value_or_throw() && {
    if (!ok()) throw ErrorType(std::get<Failure>(m_state).why);
    return std::move(std::get<T>(m_state));
  }

private:
  struct Failure {
    std::string why;
  };
  explicit Expected(Failure f) : m_state(std::move(f)) {}
  std::variant<T, Failure> m_state;
};

}  // namespace airlock
