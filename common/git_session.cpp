#include "common/git_session.hpp"

// Why the https:// credential goes as a header with every request instead of
// through the credential callback: libgit2 1.5 (Debian 12) misreads the
// response after a 401 that has a body on a kept-alive connection ("http
// parser error: invalid constant string"; git http-backend behind most
// servers answers that way), and it saves a round trip. Redirects are then
// not followed, so the header cannot go to another host.

#include "common/base64.hpp"
#include "common/git_url.hpp"

#include <fmt/format.h>

namespace airlock {

struct GitSessionCallbacks {
  GitCredentialState credentials;
  std::optional<std::string> refused;  // the server's status for the pushed ref
};

namespace {

constexpr const char* k_push_ref = "refs/airlock/push";

int acquire_credential(git_credential** out, const char* url, const char* username_from_url, unsigned int allowed,
                       void* payload) {
  auto& state = static_cast<GitSessionCallbacks*>(payload)->credentials;
  try {
    return state.acquire(out, url ? url : "", username_from_url ? username_from_url : "", allowed);
  } catch (const std::exception& e) {
    return state.give_up(e.what());
  }
}

int push_update_reference(const char*, const char* status, void* payload) {
  if (status) static_cast<GitSessionCallbacks*>(payload)->refused = status;
  return 0;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty() || from == to) return text;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

GitSession::GitSession(std::string url, GitOptions options)
    : m_url(std::move(url)), m_shown_url(redact_git_url(m_url)), m_options(std::move(options)) {
  check_git_url(m_url);
  if (m_options.ssh_key && !std::filesystem::exists(*m_options.ssh_key))
    throw UsageError(fmt::format("the ssh key {} does not exist", m_options.ssh_key->string()));
  const auto stored = m_options.credentials_file ? read_git_credentials_file(*m_options.credentials_file)
                                                 : std::vector<StoredGitCredential>{};
  m_credential = https_credential(m_url, m_options, stored);
  if (m_credential) {
    m_auth_header = "Authorization: Basic " + base64_encode(m_credential->user + ":" + m_credential->password);
    m_header = m_auth_header.data();
  }
  if (m_options.ca_file) {
    if (!std::filesystem::exists(*m_options.ca_file))
      throw UsageError(fmt::format("the CA file {} does not exist", m_options.ca_file->string()));
    // libgit2's certificate locations are process-global; they last until
    // the library is shut down (the last GitLibrary ends). With mbedTLS
    // (Debian's build) they replace the default roots, so the system's are
    // loaded along with the file.
    const char* system_dir = std::filesystem::is_directory("/etc/ssl/certs") ? "/etc/ssl/certs" : nullptr;
    if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, m_options.ca_file->c_str(), system_dir) != 0)
      throw UsageError(
          fmt::format("cannot load the CA certificates in {}: {}", m_options.ca_file->string(), git_error_text()));
  }
  m_repo = git_make(fmt::format("cannot create a temporary git repository in {}", m_dir.path().string()),
                    git_repository_init, m_dir.path().c_str(), 1u);
}

GitSession::~GitSession() { end_operation(); }

void GitSession::start_operation() {
  end_operation();
  m_callbacks.reset(
      new GitSessionCallbacks{GitCredentialState(m_options, m_credential ? &*m_credential : nullptr), std::nullopt});
  m_remote = git_make<UsageError>(fmt::format("git remote {}", m_shown_url), git_remote_create_anonymous, repo(),
                                  m_url.c_str());
}

void GitSession::end_operation() noexcept {
  m_remote.reset();  // disconnects; before the callbacks it may still call
  m_callbacks.reset();
}

template <typename Options>
void GitSession::set_transport(Options& opts) {
  opts.callbacks.credentials = acquire_credential;
  opts.callbacks.payload = m_callbacks.get();
  if (!m_credential) return;
  opts.custom_headers = {&m_header, 1};
  opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;  // the header would follow to any host
}

std::string GitSession::failure_text() const {
  const git_error* e = git_error_last();
  const bool certificate = e && e->klass == GIT_ERROR_SSL;
  auto text = git_error_text();
  const auto& note = m_callbacks ? m_callbacks->credentials.note() : std::string();
  if (!note.empty() && text.find(note) == std::string::npos) text += " (" + note + ")";
  if (certificate) text += " (the TLS certificate is not trusted: pass --git-ca-file with the CA that signed it)";
  if (text.find("hostkey") != std::string::npos)
    text += " (the server's ssh host key must be in ~/.ssh/known_hosts: check its fingerprint with the server's "
            "owner, then add it, for example with ssh-keyscan)";
  return replace_all(std::move(text), m_url, m_shown_url);  // libgit2 may quote the URL
}

std::string GitSession::fetch_failed(std::string_view what) const {
  return fmt::format("git remote {}{}{}: fetch failed: {}", m_shown_url, what.empty() ? "" : " ", what, failure_text());
}

std::vector<GitSession::AdvertisedRef> GitSession::advertised(std::string_view what) {
  start_operation();
  git_remote_connect_options opts = GIT_REMOTE_CONNECT_OPTIONS_INIT;
  set_transport(opts);
  const git_remote_head** heads = nullptr;
  std::size_t count = 0;
  if (git_remote_connect_ext(m_remote.get(), GIT_DIRECTION_FETCH, &opts) != 0 ||
      git_remote_ls(&heads, &count, m_remote.get()) != 0) {
    const auto message = fetch_failed(what);
    end_operation();
    throw RemoteError(message);
  }
  std::vector<AdvertisedRef> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back({heads[i]->name, heads[i]->oid});
  return out;  // still connected, for fetch()
}

void GitSession::fetch(const std::vector<std::string>& refspecs, std::string_view what) {
  if (!m_remote) start_operation();
  std::vector<std::string> specs = refspecs;
  std::vector<char*> ptrs;
  for (auto& s : specs) ptrs.push_back(s.data());
  const git_strarray array{ptrs.data(), ptrs.size()};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  set_transport(opts);
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  opts.update_fetchhead = 0;
  const bool failed = git_remote_fetch(m_remote.get(), &array, &opts, nullptr) != 0;
  const auto message = failed ? fetch_failed(what) : std::string();
  end_operation();
  if (failed) throw RemoteError(message);
}

std::optional<std::string> GitSession::push(const git_oid& commit, const std::string& branch) {
  const auto ref =
      git_make(fmt::format("cannot set {}", k_push_ref), git_reference_create, repo(), k_push_ref, &commit, 1, nullptr);
  std::string spec = fmt::format("{}:refs/heads/{}", k_push_ref, branch);
  char* ptr = spec.data();
  const git_strarray refspecs{&ptr, 1};
  start_operation();
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  set_transport(opts);
  opts.callbacks.push_update_reference = push_update_reference;
  const int rc = git_remote_push(m_remote.get(), &refspecs, &opts);
  std::optional<std::string> refused;
  std::string failure;
  if (rc == GIT_ENONFASTFORWARD)
    refused = "not a fast-forward (" + git_error_text() + ")";
  else if (rc != 0)
    failure = failure_text();
  else
    refused = m_callbacks->refused;
  end_operation();
  if (rc != 0 && rc != GIT_ENONFASTFORWARD)
    throw RemoteError(
        fmt::format("git remote {} branch {}: push of {} failed: {}", m_shown_url, branch, git_hex(commit), failure));
  return refused;
}

}  // namespace airlock
