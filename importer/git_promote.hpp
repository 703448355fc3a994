#pragma once
// Promote: one branch of a git remote brought into another (dev into prod),
// by creating, fast-forwarding or merging, pushed without force.

#include "common/error.hpp"
#include "common/git_options.hpp"

#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct PromoteResult {
  enum class Kind { created, fast_forward, merged, up_to_date } kind = Kind::up_to_date;
  std::string commit;  // the tip of `to` afterwards
};

// A merge that conflicts; `to` was not moved.
class PromoteConflict : public Error {
public:
  PromoteConflict(const std::string& message, std::vector<std::string> files)
      : Error(message), m_files(std::move(files)) {}
  [[nodiscard]] const std::vector<std::string>& files() const { return m_files; }

private:
  std::vector<std::string> m_files;
};

// Brings `from` into `to`: creates `to` at `from`'s tip when missing, else
// fast-forwards, else makes a merge commit (message "Promote FROM into TO",
// identity as update_branch takes it). Files only `to` has (overlays/TO/)
// are kept. A conflict throws PromoteConflict listing the files, and `to`
// is not moved. UsageError when `from` is missing or equals `to`; the
// remote's errors and the pushes' retries as update_branch.
[[nodiscard]] PromoteResult promote_branch(const std::string& url, const std::string& from, const std::string& to,
                                           const GitOptions& options);

}  // namespace airlock
