#include "importer/git_branch.hpp"

// Every operation works in a private temporary bare repository (no work
// tree): it fetches refs/heads/BRANCH into a private ref, builds trees in an
// in-memory index, creates commits there and pushes them with a non-forced
// refspec. A push is refused when it is not a fast-forward of the branch:
// libgit2 checks against what the remote advertises (GIT_ENONFASTFORWARD),
// and the server checks again when it updates the ref (a status in the
// push_update_reference callback). Either way update_branch and
// promote_branch fetch again and go round once more, up to k_max_attempts;
// a refusal while the branch did not move (a hook, a protected branch) is
// final: RemoteError.

#include "common/base64.hpp"
#include "common/git_handles.hpp"
#include "common/temp_dir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string_view>

namespace airlock {
namespace {

constexpr int k_max_attempts = 5;
constexpr const char* k_push_ref = "refs/airlock/push";

std::string hex(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

}  // namespace

// ---- URLs -------------------------------------------------------------------

std::string redact_git_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto start = scheme_end + 3;
  const auto at = url.substr(0, url.find('/', start)).rfind('@');
  if (at == std::string::npos || at < start) return url;
  const auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {

void check_url(const std::string& url) {
  static constexpr std::string_view schemes[] = {"file://", "git://", "ssh://", "git+ssh://", "ssh+git://", "https://"};
  for (const auto s : schemes)
    if (url.starts_with(s) && url.size() > s.size()) return;
  if (url.starts_with('/')) return;  // a local path
  const auto colon = url.find(':');  // [user@]host:path, as git and ssh read it
  if (url.find("://") == std::string::npos && colon != std::string::npos && colon > 0 && url.find('/') > colon) return;
  throw UsageError(fmt::format("git remote \"{}\": unsupported URL; use file://, git://, ssh:// (or user@host:path) "
                               "or https://",
                               redact_git_url(url)));
}

void check_branch(const std::string& branch) {
  int valid = 0;
  if (branch.empty() || git_reference_name_is_valid(&valid, ("refs/heads/" + branch).c_str()) != 0 || !valid)
    throw UsageError(fmt::format("\"{}\" is not a valid git branch name", branch));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// scheme://[user[:password]@]host[:port][/path], as credential matching needs it.
struct UrlParts {
  std::string scheme, user, password, host, port, path;  // path without leading or trailing '/'
};

std::optional<UrlParts> parse_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  UrlParts u;
  u.scheme = lower(std::string(url.substr(0, scheme_end)));
  auto rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto info = authority.substr(0, at);
    const auto colon = info.find(':');
    u.user = percent_decode(info.substr(0, colon));
    if (colon != std::string_view::npos) u.password = percent_decode(info.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  const auto port_colon = authority.rfind(':');
  if (port_colon != std::string_view::npos && authority.find(']', port_colon) == std::string_view::npos) {
    u.port = authority.substr(port_colon + 1);
    authority = authority.substr(0, port_colon);
  }
  u.host = lower(std::string(authority));
  if (u.host.empty()) return std::nullopt;
  if (u.scheme == "https" && u.port == "443") u.port.clear();
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  u.path = percent_decode(path);
  return u;
}

// ---- credentials ------------------------------------------------------------

struct StoredCredential {
  UrlParts url;
  int line = 0;
};

std::vector<StoredCredential> read_credentials_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw UsageError(fmt::format("cannot read the git credentials file {}: {}", file.string(), errno_text(errno)));
  std::vector<StoredCredential> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    auto url = parse_url(line);
    if (url && !url->user.empty()) out.push_back({std::move(*url), n});  // git-credential-store skips the rest too
  }
  return out;
}

std::string local_user() {
  for (const char* name : {"USER", "LOGNAME"})
    if (auto v = env(name); !v.empty()) return v;
  return "git";
}

// The https:// credential for `url`: user:password in the URL itself, else
// $AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD,
// else $AIRLOCK_GIT_TOKEN, else the credentials file's most specific line
// for the URL (as git-credential-store matches: scheme, host, port, path
// prefix, and the user when the URL names one).
struct HttpsCredential {
  std::string source;  // for messages; never the secret
  std::string user, password;
};

std::optional<HttpsCredential> https_credential(const std::string& url, const GitOptions& options,
                                                const std::vector<StoredCredential>& stored) {
  const auto target = parse_url(url);
  if (!target || target->scheme != "https") return std::nullopt;
  if (!target->user.empty() && !target->password.empty())
    return HttpsCredential{"the user and password in the URL (user " + target->user + ")", target->user,
                           target->password};
  if (auto u = env("AIRLOCK_GIT_USERNAME"), p = env("AIRLOCK_GIT_PASSWORD"); !u.empty() && !p.empty())
    return HttpsCredential{"$AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD (user " + u + ")", u, p};
  if (auto t = env("AIRLOCK_GIT_TOKEN"); !t.empty()) return HttpsCredential{"$AIRLOCK_GIT_TOKEN", "x-access-token", t};
  const StoredCredential* best = nullptr;
  for (const auto& s : stored) {
    const auto& c = s.url;
    const bool path_ok = c.path.empty() || target->path == c.path || target->path.starts_with(c.path + "/");
    if (c.scheme != target->scheme || c.host != target->host || c.port != target->port || !path_ok) continue;
    if (!target->user.empty() && c.user != target->user) continue;
    if (!best || c.path.size() > best->url.path.size()) best = &s;
  }
  if (!best) return std::nullopt;
  return HttpsCredential{
      fmt::format("{} line {} (user {})", options.credentials_file->string(), best->line, best->url.user),
      best->url.user, best->url.password};
}

// The state of the credential callback during one fetch or push. An
// https:// credential is not offered here: it goes with every request as a
// header, because libgit2 1.5 (Debian 12) misreads the response after a 401
// that has a body on a kept-alive connection ("http parser error: invalid
// constant string"; git http-backend behind most servers answers that way),
// and it saves a round trip. An ssh key is offered once: when the server
// asks again it was refused.
struct Callbacks {
  const GitOptions* options = nullptr;
  const HttpsCredential* sent = nullptr;  // the https:// credential every request carried
  std::set<std::string> tried;
  std::string note;                    // why authentication stopped; never holds a secret
  std::optional<std::string> refused;  // the server's reason for refusing the pushed ref

  int give_up(std::string why) {
    note = std::move(why);
    git_error_set_str(GIT_ERROR_NET, note.c_str());
    return GIT_EAUTH;
  }

  int acquire(git_credential** out, const std::string& url, const std::string& url_user, unsigned int allowed) {
    const std::string user = url_user.empty() ? local_user() : url_user;
    if (allowed & GIT_CREDENTIAL_SSH_KEY) {
      if (options->ssh_key) {
        const auto key = options->ssh_key->string();
        if (!tried.insert("ssh-key").second)
          return give_up(fmt::format("the ssh key {} was refused for user {}", key, user));
        const auto pub = key + ".pub";
        return git_credential_ssh_key_new(out, user.c_str(), std::filesystem::exists(pub) ? pub.c_str() : nullptr,
                                          key.c_str(), nullptr);
      }
      if (!tried.insert("ssh-agent").second)
        return give_up(fmt::format("the ssh agent has no key that is accepted for user {}", user));
      return git_credential_ssh_key_from_agent(out, user.c_str());
    }
    if ((allowed & GIT_CREDENTIAL_USERNAME) && tried.insert("username").second)
      return git_credential_username_new(out, user.c_str());
    const auto target = parse_url(url);
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && target && target->scheme == "https") {
      // The credential, if any, went with every request (see Session::auth_header);
      // a challenge after it means it was refused.
      if (sent) return give_up("the credentials were refused: " + sent->source);
      return give_up(fmt::format("{}://{} asks for credentials: set $AIRLOCK_GIT_USERNAME and $AIRLOCK_GIT_PASSWORD, "
                                 "or $AIRLOCK_GIT_TOKEN, or give a credentials file",
                                 target->scheme, target->host));
    }
    return give_up("the remote asks for a kind of credentials that airlock does not offer for this URL");
  }
};

int acquire_credential(git_credential** out, const char* url, const char* username_from_url, unsigned int allowed,
                       void* payload) {
  auto* cb = static_cast<Callbacks*>(payload);
  try {
    return cb->acquire(out, url ? url : "", username_from_url ? username_from_url : "", allowed);
  } catch (const std::exception& e) {
    return cb->give_up(e.what());
  }
}

int push_update_reference(const char*, const char* status, void* payload) {
  if (status) static_cast<Callbacks*>(payload)->refused = status;
  return 0;
}

// ---- the temporary repository -----------------------------------------------

// A private temporary bare repository, with libgit2 initialised and the
// remote's transport settings.
class Session {
public:
  Session(const std::string& url, const GitOptions& options) : m_url(url), m_options(options) {
    check_url(url);
    if (options.ssh_key && !std::filesystem::exists(*options.ssh_key))
      throw UsageError(fmt::format("the ssh key {} does not exist", options.ssh_key->string()));
    const auto stored = options.credentials_file ? read_credentials_file(*options.credentials_file)
                                                 : std::vector<StoredCredential>{};
    m_credential = https_credential(url, options, stored);
    if (m_credential)
      m_auth_header = "Authorization: Basic " + base64_encode(m_credential->user + ":" + m_credential->password);
    if (options.ca_file) {
      if (!std::filesystem::exists(*options.ca_file))
        throw UsageError(fmt::format("the CA file {} does not exist", options.ca_file->string()));
      // libgit2's certificate locations are process-global; they last until
      // the library is shut down (the last GitLibrary ends). With mbedTLS
      // (Debian's build) they replace the default roots, so the system's are
      // loaded along with the file.
      const char* system_dir = std::filesystem::is_directory("/etc/ssl/certs") ? "/etc/ssl/certs" : nullptr;
      if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, options.ca_file->c_str(), system_dir) != 0)
        throw UsageError(
            fmt::format("cannot load the CA certificates in {}: {}", options.ca_file->string(), git_error_text()));
    }
    git_repository* raw = nullptr;
    if (git_repository_init(&raw, m_dir.path().c_str(), 1) != 0)
      throw Error(fmt::format("cannot create a temporary git repository: {}", git_error_text()));
    m_repo.reset(raw);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] git_repository* repo() const { return m_repo.get(); }
  [[nodiscard]] const std::string& url() const { return m_url; }

  // The branches' tips; nullopt for a branch the remote does not have.
  std::vector<std::optional<git_oid>> fetch(const std::vector<std::string>& branches) {
    std::vector<std::string> specs;
    for (std::size_t i = 0; i < branches.size(); ++i) {
      const auto local = fmt::format("refs/airlock/fetched/{}", i);
      if (const int rc = git_reference_remove(repo(), local.c_str()); rc != 0 && rc != GIT_ENOTFOUND)
        throw Error(fmt::format("cannot reset {}: {}", local, git_error_text()));
      specs.push_back(fmt::format("+refs/heads/{}:{}", branches[i], local));
    }
    std::vector<char*> ptrs;
    for (auto& s : specs) ptrs.push_back(s.data());
    const git_strarray refspecs{ptrs.data(), ptrs.size()};
    Callbacks cb;
    git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
    char* header = m_auth_header.data();
    prepare(opts, cb, header);
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    opts.update_fetchhead = 0;
    const auto remote = anonymous_remote();
    if (git_remote_fetch(remote.get(), &refspecs, &opts, nullptr) != 0)
      throw RemoteError(fmt::format("git remote {} {} {}: fetch failed: {}", redact_git_url(m_url),
                                    branches.size() == 1 ? "branch" : "branches", join(branches, " and "),
                                    failure_text(cb)));
    std::vector<std::optional<git_oid>> tips;
    for (std::size_t i = 0; i < branches.size(); ++i) {
      git_oid id;
      const int rc = git_reference_name_to_id(&id, repo(), fmt::format("refs/airlock/fetched/{}", i).c_str());
      if (rc == GIT_ENOTFOUND) tips.emplace_back();
      else if (rc == 0) tips.emplace_back(id);
      else throw Error(fmt::format("git remote {} branch {}: {}", redact_git_url(m_url), branches[i], git_error_text()));
    }
    return tips;
  }

  // Pushes `commit` to the branch without force. nullopt: done; else why the
  // remote refused it.
  std::optional<std::string> push(const git_oid& commit, const std::string& branch) {
    git_reference* raw_ref = nullptr;
    if (git_reference_create(&raw_ref, repo(), k_push_ref, &commit, 1, nullptr) != 0)
      throw Error(fmt::format("cannot set {}: {}", k_push_ref, git_error_text()));
    GitReferencePtr ref(raw_ref);
    std::string spec = fmt::format("{}:refs/heads/{}", k_push_ref, branch);
    char* ptr = spec.data();
    const git_strarray refspecs{&ptr, 1};
    Callbacks cb;
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    char* header = m_auth_header.data();
    prepare(opts, cb, header);
    opts.callbacks.push_update_reference = push_update_reference;
    const auto remote = anonymous_remote();
    const int rc = git_remote_push(remote.get(), &refspecs, &opts);
    if (rc == GIT_ENONFASTFORWARD) return "not a fast-forward (" + git_error_text() + ")";
    if (rc != 0)
      throw RemoteError(fmt::format("git remote {} branch {}: push of {} failed: {}", redact_git_url(m_url), branch,
                                    hex(commit), failure_text(cb)));
    return cb.refused;
  }

private:
  // Fetch or push options: the credential callback, and the https
  // credential as a header (`header` must outlive the operation).
  template <typename Options>
  void prepare(Options& opts, Callbacks& cb, char*& header) const {
    cb.options = &m_options;
    cb.sent = m_credential ? &*m_credential : nullptr;
    opts.callbacks.credentials = acquire_credential;
    opts.callbacks.payload = &cb;
    if (!m_credential) return;
    opts.custom_headers = {&header, 1};
    opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;  // the header would follow to any host
  }

  GitRemotePtr anonymous_remote() {
    git_remote* raw = nullptr;
    if (git_remote_create_anonymous(&raw, repo(), m_url.c_str()) != 0)
      throw UsageError(fmt::format("git remote {}: {}", redact_git_url(m_url), git_error_text()));
    return GitRemotePtr(raw);
  }

  static std::string failure_text(const Callbacks& cb) {
    const git_error* e = git_error_last();
    const bool certificate = e && e->klass == GIT_ERROR_SSL;
    auto text = git_error_text();
    if (!cb.note.empty() && text.find(cb.note) == std::string::npos) text += " (" + cb.note + ")";
    if (certificate) text += " (the TLS certificate is not trusted: pass --git-ca-file with the CA that signed it)";
    if (text.find("hostkey") != std::string::npos)
      text += " (the server's ssh host key must be in ~/.ssh/known_hosts: check its fingerprint with the server's "
              "owner, then add it, for example with ssh-keyscan)";
    return text;
  }

  GitLibrary m_lib;
  TempDir m_dir{"airlock-git"};
  GitRepositoryPtr m_repo;
  std::string m_url;
  GitOptions m_options;
  std::optional<HttpsCredential> m_credential;
  std::string m_auth_header;
};

// ---- commits ----------------------------------------------------------------

struct Identity {
  std::string author_name, author_email, committer_name, committer_email;
};

std::string config_string(git_config* config, const char* name) {
  if (!config) return {};
  git_config_entry* raw = nullptr;
  if (git_config_get_entry(&raw, config, name) != 0) return {};
  GitConfigEntryPtr entry(raw);
  return entry->value ? entry->value : "";
}

// $GIT_AUTHOR_* and $GIT_COMMITTER_* (each falls back to the other), else
// user.name and user.email from git config. Needs libgit2 initialised.
Identity identity() {
  auto an = env("GIT_AUTHOR_NAME"), ae = env("GIT_AUTHOR_EMAIL");
  auto cn = env("GIT_COMMITTER_NAME"), ce = env("GIT_COMMITTER_EMAIL");
  if (an.empty()) an = cn;
  if (cn.empty()) cn = an;
  if (ae.empty()) ae = ce;
  if (ce.empty()) ce = ae;
  if (an.empty() || ae.empty()) {
    git_config* raw = nullptr;
    GitConfigPtr config(git_config_open_default(&raw) == 0 ? raw : nullptr);
    if (an.empty()) an = cn = config_string(config.get(), "user.name");
    if (ae.empty()) ae = ce = config_string(config.get(), "user.email");
  }
  if (an.empty() || ae.empty())
    throw UsageError("no identity for the git commit: set $GIT_AUTHOR_NAME and $GIT_AUTHOR_EMAIL (and "
                     "$GIT_COMMITTER_NAME/$GIT_COMMITTER_EMAIL if the committer differs), or run "
                     "git config --global user.name NAME and git config --global user.email EMAIL");
  return {an, ae, cn, ce};
}

GitSignaturePtr signature(const std::string& name, const std::string& email) {
  git_signature* raw = nullptr;
  if (git_signature_now(&raw, name.c_str(), email.c_str()) != 0)
    throw UsageError(fmt::format("invalid git identity \"{} <{}>\": {}", name, email, git_error_text()));
  return GitSignaturePtr(raw);
}

GitCommitPtr lookup_commit(git_repository* repo, const git_oid& id) {
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0)
    throw Error(fmt::format("cannot read commit {}: {}", hex(id), git_error_text()));
  return GitCommitPtr(raw);
}

git_oid make_commit(git_repository* repo, const Identity& who, std::string message, const git_oid& tree_id,
                    const std::vector<const git_commit*>& parents) {
  const auto author = signature(who.author_name, who.author_email);
  const auto committer = signature(who.committer_name, who.committer_email);
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, repo, &tree_id) != 0)
    throw Error(fmt::format("cannot read tree {}: {}", hex(tree_id), git_error_text()));
  GitTreePtr tree(raw);
  if (!message.ends_with('\n')) message += '\n';
  std::vector<const git_commit*> ps = parents;
  git_oid id;
  if (git_commit_create(&id, repo, nullptr, author.get(), committer.get(), nullptr, message.c_str(), tree.get(),
                        ps.size(), ps.data()) != 0)
    throw Error(fmt::format("cannot create a git commit: {}", git_error_text()));
  return id;
}

struct BuiltTree {
  git_oid id;
  bool empty;
};

// The tip's tree (or nothing), without the replaced directories, with the files.
BuiltTree build_tree(git_repository* repo, const git_tree* base, const CommitPlan& plan) {
  git_index* raw = nullptr;
  if (git_index_new(&raw) != 0) throw Error(fmt::format("cannot create a git index: {}", git_error_text()));
  GitIndexPtr index(raw);
  if (base && git_index_read_tree(index.get(), base) != 0)
    throw Error(fmt::format("cannot read the tip's tree: {}", git_error_text()));
  for (auto dir : plan.replace_dirs) {
    while (dir.ends_with('/')) dir.pop_back();
    const int rc = dir.empty() || dir == "." ? git_index_clear(index.get())
                                             : git_index_remove_directory(index.get(), dir.c_str(), 0);
    if (rc != 0) throw Error(fmt::format("cannot drop {}/: {}", dir, git_error_text()));
  }
  for (const auto& [path, content] : plan.files) {
    git_index_entry entry{};
    entry.mode = GIT_FILEMODE_BLOB;
    entry.path = path.c_str();
    entry.file_size = static_cast<std::uint32_t>(content.size());
    if (git_blob_create_from_buffer(&entry.id, repo, content.data(), content.size()) != 0 ||
        git_index_add(index.get(), &entry) != 0)
      throw Error(fmt::format("cannot add {} to the git commit: {}", path, git_error_text()));
  }
  BuiltTree out{};
  out.empty = git_index_entrycount(index.get()) == 0;
  if (git_index_write_tree_to(&out.id, index.get(), repo) != 0)
    throw Error(fmt::format("cannot write the git tree: {}", git_error_text()));
  return out;
}

bool descends(git_repository* repo, const git_oid& commit, const git_oid& ancestor) {
  const int rc = git_graph_descendant_of(repo, &commit, &ancestor);
  if (rc < 0) throw Error(fmt::format("cannot compare {} with {}: {}", hex(commit), hex(ancestor), git_error_text()));
  return rc == 1;
}

bool same(const std::optional<git_oid>& a, const std::optional<git_oid>& b) {
  return a.has_value() == b.has_value() && (!a || git_oid_equal(&*a, &*b));
}

// A push the remote refused, and the tip the commit was made on.
struct Refusal {
  std::optional<git_oid> tip;
  std::string reason;
};

// The refusal, once the fetch after it shows the branch where it was: it
// did not move, so the refusal is final.
void throw_if_final(const std::optional<Refusal>& refusal, const std::optional<git_oid>& tip, const Session& session,
                    const std::string& branch) {
  if (refusal && same(refusal->tip, tip))
    throw RemoteError(fmt::format("git remote {} branch {}: push refused: {}", redact_git_url(session.url()), branch,
                                  refusal->reason));
}

RemoteError kept_moving(const Session& session, const std::string& branch, const Refusal& last) {
  return RemoteError(fmt::format("git remote {} branch {}: the branch kept moving; gave up after {} attempts "
                                 "(last refusal: {})",
                                 redact_git_url(session.url()), branch, k_max_attempts, last.reason));
}

}  // namespace

void require_commit_identity() {
  GitLibrary lib;
  (void)identity();
}

// ---- snapshots --------------------------------------------------------------

struct BranchSnapshot::Impl {
  std::shared_ptr<Session> session;
  std::string url;
  std::string branch;
  std::optional<git_oid> tip;
  GitCommitPtr commit;  // null without a tip
  GitTreePtr tree;      // null without a tip

  Impl(std::shared_ptr<Session> s, const std::string& b, const std::optional<git_oid>& t)
      : session(std::move(s)), url(session->url()), branch(b), tip(t) {
    if (!tip) return;
    commit = lookup_commit(session->repo(), *tip);
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, commit.get()) != 0)
      throw Error(fmt::format("git remote {} branch {}: cannot read the tree of {}: {}", redact_git_url(url), branch,
                              hex(*tip), git_error_text()));
    tree.reset(raw);
  }

  [[nodiscard]] std::string where() const {
    return fmt::format("git remote {} branch {} at {}", redact_git_url(url), branch, tip ? hex(*tip) : "(none)");
  }

  // The entry at `path`; null when there is none.
  [[nodiscard]] GitTreeEntryPtr entry(const std::string& path) const {
    git_tree_entry* raw = nullptr;
    const int rc = git_tree_entry_bypath(&raw, tree.get(), path.c_str());
    if (rc == GIT_ENOTFOUND) return nullptr;
    if (rc != 0) throw Error(fmt::format("{}: cannot read {}: {}", where(), path, git_error_text()));
    return GitTreeEntryPtr(raw);
  }
};

BranchSnapshot::BranchSnapshot(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

const std::string& BranchSnapshot::url() const { return m_impl->url; }
const std::string& BranchSnapshot::branch() const { return m_impl->branch; }

std::optional<std::string> BranchSnapshot::commit() const {
  if (!m_impl->tip) return std::nullopt;
  return hex(*m_impl->tip);
}

std::optional<std::string> BranchSnapshot::read(const std::string& path) const {
  if (!m_impl->tree || path.empty()) return std::nullopt;
  const auto entry = m_impl->entry(path);
  if (!entry || git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, m_impl->session->repo(), git_tree_entry_id(entry.get())) != 0)
    throw Error(fmt::format("{}: cannot read {}: {}", m_impl->where(), path, git_error_text()));
  GitBlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

std::vector<std::string> BranchSnapshot::list(const std::string& dir) const {
  if (!m_impl->tree) return {};
  std::string clean = dir;
  while (clean.ends_with('/')) clean.pop_back();
  GitTreePtr sub;
  if (!clean.empty() && clean != ".") {
    const auto entry = m_impl->entry(clean);
    if (!entry || git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) return {};
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, m_impl->session->repo(), git_tree_entry_id(entry.get())) != 0)
      throw Error(fmt::format("{}: cannot read {}: {}", m_impl->where(), clean, git_error_text()));
    sub.reset(raw);
  }
  std::vector<std::string> out;
  const auto collect = [](const char* root, const git_tree_entry* e, void* payload) -> int {
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
      static_cast<std::vector<std::string>*>(payload)->push_back(std::string(root) + git_tree_entry_name(e));
    return 0;
  };
  if (git_tree_walk(sub ? sub.get() : m_impl->tree.get(), GIT_TREEWALK_PRE, collect, &out) != 0)
    throw Error(fmt::format("{}: cannot list {}: {}", m_impl->where(), dir, git_error_text()));
  std::sort(out.begin(), out.end());
  return out;
}

// ---- operations -------------------------------------------------------------

BranchSnapshot fetch_branch(const std::string& url, const std::string& branch, const GitOptions& options) {
  auto session = std::make_shared<Session>(url, options);
  check_branch(branch);
  const auto tip = session->fetch({branch}).front();
  return BranchSnapshot(std::make_shared<const BranchSnapshot::Impl>(session, branch, tip));
}

UpdateResult update_branch(const std::string& url, const std::string& branch, const GitOptions& options,
                           const std::function<std::optional<CommitPlan>(const BranchSnapshot&)>& plan) {
  auto session = std::make_shared<Session>(url, options);
  check_branch(branch);
  const auto who = identity();  // before any work: a missing identity is a configuration error
  UpdateResult result;
  std::optional<Refusal> refusal;
  for (int attempt = 1; attempt <= k_max_attempts; ++attempt) {
    result.attempts = attempt;
    const auto tip = session->fetch({branch}).front();
    throw_if_final(refusal, tip, *session, branch);
    const auto impl = std::make_shared<const BranchSnapshot::Impl>(session, branch, tip);
    const auto wanted = plan(BranchSnapshot(impl));
    if (!wanted) return result;
    const auto tree = build_tree(session->repo(), impl->tree.get(), *wanted);
    if (impl->tree ? git_oid_equal(&tree.id, git_tree_id(impl->tree.get())) != 0 : tree.empty) return result;
    std::vector<const git_commit*> parents;
    if (impl->commit) parents.push_back(impl->commit.get());
    const auto commit = make_commit(session->repo(), who, wanted->message, tree.id, parents);
    auto refused = session->push(commit, branch);
    if (!refused) {
      result.commit = hex(commit);
      result.created_branch = !tip;
      return result;
    }
    refusal = Refusal{tip, std::move(*refused)};
  }
  throw kept_moving(*session, branch, *refusal);
}

namespace {

// The merge commit of `from` into `to`; PromoteConflict when they conflict.
git_oid merge(Session& session, const std::string& from, const std::string& to, const git_oid& from_tip,
              const git_oid& to_tip, const Identity& who) {
  git_repository* repo = session.repo();
  const auto ours = lookup_commit(repo, to_tip);
  const auto theirs = lookup_commit(repo, from_tip);
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  git_index* raw = nullptr;
  if (git_merge_commits(&raw, repo, ours.get(), theirs.get(), &opts) != 0)
    throw Error(fmt::format("git remote {}: cannot merge {} into {}: {}", redact_git_url(session.url()), from, to,
                            git_error_text()));
  GitIndexPtr index(raw);
  if (git_index_has_conflicts(index.get())) {
    git_index_conflict_iterator* raw_it = nullptr;
    if (git_index_conflict_iterator_new(&raw_it, index.get()) != 0)
      throw Error(fmt::format("cannot list the merge conflicts: {}", git_error_text()));
    GitIndexConflictIteratorPtr it(raw_it);
    std::set<std::string> paths;
    const git_index_entry *ancestor = nullptr, *our = nullptr, *their = nullptr;
    while (git_index_conflict_next(&ancestor, &our, &their, it.get()) == 0)
      for (const auto* e : {our, their, ancestor})
        if (e) paths.insert(e->path);
    std::vector<std::string> files(paths.begin(), paths.end());
    throw PromoteConflict(fmt::format("git remote {}: promoting {} into {}: merge conflict in {}; {} was not changed "
                                      "(merge {} into {} in a clone, resolve the conflict and push, then promote "
                                      "again)",
                                      redact_git_url(session.url()), from, to, join(files, ", "), to, from, to),
                          files);
  }
  git_oid tree;
  if (git_index_write_tree_to(&tree, index.get(), repo) != 0)
    throw Error(fmt::format("cannot write the merged tree: {}", git_error_text()));
  return make_commit(repo, who, fmt::format("Promote {} into {}", from, to), tree, {ours.get(), theirs.get()});
}

}  // namespace

PromoteResult promote_branch(const std::string& url, const std::string& from, const std::string& to,
                             const GitOptions& options) {
  Session session(url, options);
  check_branch(from);
  check_branch(to);
  if (from == to) throw UsageError(fmt::format("cannot promote branch {} into itself", from));
  std::optional<Identity> who;  // only a merge commit needs one
  std::optional<Refusal> refusal;
  for (int attempt = 1; attempt <= k_max_attempts; ++attempt) {
    const auto tips = session.fetch({from, to});
    if (!tips[0]) throw UsageError(fmt::format("git remote {} has no branch {} to promote", redact_git_url(url), from));
    throw_if_final(refusal, tips[1], session, to);
    const git_oid from_tip = *tips[0];
    PromoteResult result;
    git_oid target = from_tip;
    if (!tips[1]) {
      result.kind = PromoteResult::Kind::created;
    } else {
      const git_oid to_tip = *tips[1];
      if (git_oid_equal(&from_tip, &to_tip) || descends(session.repo(), to_tip, from_tip))
        return {PromoteResult::Kind::up_to_date, hex(to_tip)};
      if (descends(session.repo(), from_tip, to_tip)) {
        result.kind = PromoteResult::Kind::fast_forward;
      } else {
        if (!who) who = identity();
        result.kind = PromoteResult::Kind::merged;
        target = merge(session, from, to, from_tip, to_tip, *who);
      }
    }
    result.commit = hex(target);
    auto refused = session.push(target, to);
    if (!refused) return result;
    refusal = Refusal{tips[1], std::move(*refused)};
  }
  throw kept_moving(session, to, *refusal);
}

}  // namespace airlock
