#pragma once
// Runs a callable when the scope ends unless dismissed.

#include <utility>

namespace airlock {

template <typename F>
class ScopeGuard {
public:
  explicit ScopeGuard(F f) : m_f(std::move(f)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ~ScopeGuard() {
    if (m_active) m_f();
  }
  void dismiss() noexcept { m_active = false; }

private:
  F m_f;
  bool m_active = true;
};

}  // namespace airlock
