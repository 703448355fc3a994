#include "importer/git_branch.hpp"

// Placeholder until the implementation lands.
namespace airlock {

BranchSnapshot::BranchSnapshot(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

BranchSnapshot fetch_branch(const std::string&, const std::string&, const GitOptions&) {
  throw Error("git: not implemented yet");
}

UpdateResult update_branch(const std::string&, const std::string&, const GitOptions&,
                           const std::function<std::optional<CommitPlan>(const BranchSnapshot&)>&) {
  throw Error("git: not implemented yet");
}

PromoteResult promote_branch(const std::string&, const std::string&, const std::string&, const GitOptions&) {
  throw Error("git: not implemented yet");
}

}  // namespace airlock
