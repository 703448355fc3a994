#pragma once
// Asserts an airlock::Error's category (its exit code) and that its message
// names what it should. Use with REQUIRE_THROWS_MATCHES, which also pins
// the exception type:
//   REQUIRE_THROWS_MATCHES(f(), UsageError, FailsWith(ExitCode::usage, {"spec.yaml:3"}));

#include "common/error.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace airlock::test {

class ErrorMatcher final : public Catch::MatcherBase<Error> {
public:
  ErrorMatcher(ExitCode code, std::vector<std::string> parts) : m_code(code), m_parts(std::move(parts)) {}

  bool match(const Error& e) const override {
    if (e.exit_code() != m_code) return false;
    const std::string what = e.what();
    for (const auto& part : m_parts)
      if (what.find(part) == std::string::npos) return false;
    return true;
  }

  std::string describe() const override {
    std::string out = "has exit code " + std::to_string(static_cast<int>(m_code)) + " and mentions";
    for (const auto& part : m_parts) out += " \"" + part + "\"";
    return out;
  }

private:
  ExitCode m_code;
  std::vector<std::string> m_parts;
};

inline ErrorMatcher FailsWith(ExitCode code, std::initializer_list<std::string> parts) {
  return ErrorMatcher(code, parts);
}

}  // namespace airlock::test
