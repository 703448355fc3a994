#include "packer/git_manifests.hpp"

// What is fetched for `ref`, after one look at what the remote advertises
// (on the connection the fetch then uses):
// - a tag or a branch of that name (refs/tags/REF first, as git reads it),
//   or a full ref name: that one ref, nothing else;
// - a full commit id that an advertised ref points at: that ref;
// - another full commit id: the id itself, where the server serves objects
//   by id (uploadpack.allowReachableSHA1InWant, which GitHub and GitLab
//   allow; libgit2 speaks protocol v0, which needs it);
// - else (an abbreviated id, or a server that refuses a want by id): every
//   branch and tag, and the commit is looked up among them.
// Pinning a release to a tag keeps the fetch to what that tag needs.

#include "common/error.hpp"
#include "common/git_handles.hpp"
#include "common/git_session.hpp"
#include "formats/release_limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace airlock {
namespace {

constexpr const char* k_fetched = "refs/airlock/manifests";

struct WalkState {
  git_repository* repo;
  git_odb* odb;
  GitManifests* out;
  std::uint64_t other_bytes = 0;
  std::string error;
};

int collect(const char* root, const git_tree_entry* entry, void* payload) {
  auto* st = static_cast<WalkState*>(payload);
  const std::string name = git_tree_entry_name(entry);
  // Hidden files and directories (.github/ workflows) are not the release's
  // YAML; 1 skips a directory.
  if (name.starts_with('.')) return git_tree_entry_type(entry) == GIT_OBJECT_TREE ? 1 : 0;
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) return 0;
  const bool yaml = name.ends_with(".yaml") || name.ends_with(".yml");
  std::string path = std::string(root) + name;
  // The size from the object's header, before its bytes are read.
  std::size_t size = 0;
  git_object_t type{};
  if (git_odb_read_header(&size, &type, st->odb, git_tree_entry_id(entry)) != 0) {
    st->error = fmt::format("cannot read {}: {}", path, git_error_text());
    return -1;
  }
  if (yaml && size > k_max_yaml_file) {
    st->error = fmt::format("{} is larger than {} bytes", path, k_max_yaml_file);
    return -1;
  }
  // Another file is held only in case a kustomize build reads it: bounded,
  // and never an error here.
  if (!yaml && (size > k_max_yaml_file || st->other_bytes + size > k_max_git_other_bytes)) {
    st->out->left_out.insert(std::move(path));
    return 0;
  }
  GitBlobPtr blob;
  try {
    blob = git_make(fmt::format("cannot read {}", path), git_blob_lookup, st->repo, git_tree_entry_id(entry));
  } catch (const Error& e) {
    st->error = e.what();  // no exception may cross libgit2's C frames
    return -1;
  }
  std::string content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                      static_cast<std::size_t>(git_blob_rawsize(blob.get())));
  if (yaml) {
    st->out->files.emplace_back(std::move(path), std::move(content));
  } else {
    st->other_bytes += content.size();
    st->out->others.emplace(std::move(path), std::move(content));
  }
  return 0;
}

bool is_commit_id(const std::string& ref) {
  return ref.size() >= 4 && ref.size() <= GIT_OID_HEXSZ &&
         std::all_of(ref.begin(), ref.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// A name that can be part of a refspec: a valid ref name under refs/tags/
// (so no ':', '*', '..', '^', '@{' or spaces).
bool is_ref_name(const std::string& ref) {
  int valid = 0;
  return !ref.empty() && git_reference_name_is_valid(&valid, ("refs/tags/" + ref).c_str()) == 0 && valid;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The advertised ref `ref` names: the tag, else the branch, else the full ref name.
std::optional<std::string> named_ref(const std::vector<GitSession::AdvertisedRef>& refs, const std::string& ref) {
  for (const auto& candidate : {"refs/tags/" + ref, "refs/heads/" + ref, ref})
    for (const auto& r : refs)
      if (r.name == candidate && candidate.starts_with("refs/")) return candidate;
  return std::nullopt;
}

// An advertised ref at commit `id` (an annotated tag by its peeled entry),
// if its name is one a refspec may hold (the remote chose it).
std::optional<std::string> ref_at(const std::vector<GitSession::AdvertisedRef>& refs, const std::string& id) {
  for (const auto& r : refs) {
    const auto name = r.name.ends_with("^{}") ? r.name.substr(0, r.name.size() - 3) : r.name;
    int valid = 0;
    if (git_hex(r.id) == id && name.starts_with("refs/") && git_reference_name_is_valid(&valid, name.c_str()) == 0 &&
        valid)
      return name;
  }
  return std::nullopt;
}

class ManifestFetch {
public:
  ManifestFetch(const std::string& url, const std::string& ref, const GitOptions& options)
      : m_session(url, options), m_ref(ref) {}

  [[nodiscard]] git_repository* repo() const { return m_session.repo(); }
  [[nodiscard]] const std::string& shown() const { return m_session.shown_url(); }

  // The commit `ref` names, fetched. Throws as fetch_git_manifests.
  git_oid fetch() {
    if (!is_ref_name(m_ref) && !is_commit_id(m_ref)) throw no_such_ref();
    const auto refs = m_session.advertised("");
    if (const auto name = named_ref(refs, m_ref)) return fetch_one(*name);
    if (!is_commit_id(m_ref)) throw no_such_ref();
    const auto id = lower(m_ref);
    if (id.size() == GIT_OID_HEXSZ) {
      if (const auto name = ref_at(refs, id)) return fetch_one(*name);
      try {
        return fetch_one(id);
      } catch (const RemoteError&) {
        // The server does not serve objects by id; the wide fetch says why if it fails too.
      }
    }
    m_session.fetch({"+refs/heads/*:refs/airlock/heads/*", "+refs/tags/*:refs/airlock/tags/*"}, "");
    git_oid prefix;
    if (git_oid_fromstrn(&prefix, id.c_str(), id.size()) != 0) throw no_such_ref();
    const auto commit = git_find<UsageError>(fmt::format("git remote {}: commit id \"{}\"", shown(), m_ref),
                                             git_object_lookup_prefix, repo(), &prefix, id.size(), GIT_OBJECT_COMMIT);
    if (!commit) throw no_such_ref();
    return *git_object_id(commit.get());
  }

private:
  // Fetches `source` (a ref name or a commit id) alone and peels it to a commit.
  git_oid fetch_one(const std::string& source) {
    m_session.fetch({"+" + source + ":" + k_fetched}, "");
    const auto ref =
        git_make(fmt::format("git remote {}: {}", shown(), source), git_reference_lookup, repo(), k_fetched);
    const auto commit = git_make<UsageError>(fmt::format("git remote {}: {} is not a commit", shown(), source),
                                             git_reference_peel, ref.get(), GIT_OBJECT_COMMIT);
    return *git_object_id(commit.get());
  }

  [[nodiscard]] UsageError no_such_ref() const {
    return UsageError(fmt::format("git remote {} has no tag, branch or commit \"{}\"", shown(), m_ref));
  }

  GitSession m_session;
  std::string m_ref;
};

// The files under `path` in the commit's tree. Throws UsageError for a
// missing path, a path that is a file, no YAML; Error when the tree cannot
// be read.
GitManifests read_manifests(const ManifestFetch& fetched, const git_oid& commit_id, const std::string& ref,
                            const std::string& path) {
  git_repository* repo = fetched.repo();
  const auto& url = fetched.shown();
  const auto id = git_hex(commit_id);
  const auto commit =
      git_make(fmt::format("git remote {}: cannot read commit {}", url, id), git_commit_lookup, repo, &commit_id);
  const auto tree =
      git_make(fmt::format("git remote {}: cannot read the tree of {}", url, id), git_commit_tree, commit.get());
  GitTreePtr sub;
  std::string clean = path;
  while (clean.ends_with('/')) clean.pop_back();
  if (!clean.empty() && clean != ".") {
    const auto entry = git_find(fmt::format("git remote {} at {}: cannot read \"{}\"", url, ref, clean),
                                git_tree_entry_bypath, tree.get(), clean.c_str());
    if (!entry) throw UsageError(fmt::format("git remote {} at {} ({}) has no path \"{}\"", url, ref, id, clean));
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
      throw UsageError(fmt::format("git remote {} at {}: \"{}\" is not a directory", url, ref, clean));
    sub = git_make(fmt::format("git remote {} at {}: cannot read \"{}\"", url, ref, clean), git_tree_lookup, repo,
                   git_tree_entry_id(entry.get()));
  }
  GitManifests out;
  out.commit = id;
  const auto odb =
      git_make(fmt::format("git remote {}: cannot open the object database", url), git_repository_odb, repo);
  WalkState st{repo, odb.get(), &out, 0, {}};
  if (git_tree_walk(sub ? sub.get() : tree.get(), GIT_TREEWALK_PRE, collect, &st) != 0)
    throw Error(fmt::format("git remote {} at {}: {}", url, ref, st.error.empty() ? git_error_text() : st.error));
  if (out.files.empty())
    throw UsageError(fmt::format("git remote {} at {} has no *.yaml or *.yml files under \"{}\"", url, ref, path));
  std::sort(out.files.begin(), out.files.end());
  return out;
}

// The error again with `where: ` in front, of the same kind.
[[noreturn]] void rethrow_at(const std::string& where, const Error& e) {
  const auto message = fmt::format("{}: {}", where, e.what());
  switch (e.exit_code()) {
    case ExitCode::usage: throw UsageError(message);
    case ExitCode::remote: throw RemoteError(message);
    case ExitCode::verification: throw VerificationError(message);
    default: throw Error(message);
  }
}

}  // namespace

GitManifests fetch_git_manifests(const std::string& url, const std::string& ref, const std::string& path,
                                 const std::string& where, const GitOptions& options) {
  try {
    ManifestFetch fetched(url, ref, options);
    const auto commit = fetched.fetch();
    return read_manifests(fetched, commit, ref, path);
  } catch (const Error& e) {
    rethrow_at(where, e);
  }
}

}  // namespace airlock
