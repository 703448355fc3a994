#include "common/git_credentials.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace airlock {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string local_user() {
  for (const char* name : {"USER", "LOGNAME"})
    if (auto v = env(name); !v.empty()) return v;
  return "git";
}

}  // namespace

std::vector<StoredGitCredential> read_git_credentials_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw UsageError(fmt::format("cannot read the git credentials file {}: {}", file.string(), errno_text(errno)));
  std::vector<StoredGitCredential> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    auto url = parse_git_url(line);
    if (url && !url->user.empty()) out.push_back({std::move(*url), n});
  }
  return out;
}

std::optional<HttpsCredential> https_credential(const std::string& url, const GitOptions& options,
                                                const std::vector<StoredGitCredential>& stored) {
  const auto target = parse_git_url(url);
  if (!target || target->scheme != "https") return std::nullopt;
  if (!target->user.empty() && !target->password.empty())
    return HttpsCredential{"the user and password in the URL (user " + target->user + ")", target->user,
                           target->password};
  if (auto u = env("AIRLOCK_GIT_USERNAME"), p = env("AIRLOCK_GIT_PASSWORD"); !u.empty() && !p.empty())
    return HttpsCredential{"$AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD (user " + u + ")", u, p};
  if (auto t = env("AIRLOCK_GIT_TOKEN"); !t.empty()) return HttpsCredential{"$AIRLOCK_GIT_TOKEN", "x-access-token", t};
  const StoredGitCredential* best = nullptr;
  for (const auto& s : stored) {
    const auto& c = s.url;
    const bool path_ok = c.path.empty() || target->path == c.path || target->path.starts_with(c.path + "/");
    if (c.scheme != target->scheme || c.host != target->host || c.port != target->port || !path_ok) continue;
    if (!target->user.empty() && c.user != target->user) continue;
    if (!best || c.path.size() > best->url.path.size()) best = &s;
  }
  if (!best) return std::nullopt;
  const auto file = options.credentials_file ? options.credentials_file->string() : std::string("the credentials file");
  return HttpsCredential{fmt::format("{} line {} (user {})", file, best->line, best->url.user), best->url.user,
                         best->url.password};
}

int GitCredentialState::give_up(std::string why) {
  m_note = std::move(why);
  git_error_set_str(GIT_ERROR_NET, m_note.c_str());
  return GIT_EAUTH;
}

int GitCredentialState::acquire(git_credential** out, const std::string& url, const std::string& url_user,
                                unsigned int allowed) {
  const std::string user = url_user.empty() ? local_user() : url_user;
  if (allowed & GIT_CREDENTIAL_SSH_KEY) {
    if (m_options->ssh_key) {
      const auto key = m_options->ssh_key->string();
      if (!m_tried.insert("ssh-key").second)
        return give_up(fmt::format("the ssh key {} was refused for user {}", key, user));
      const auto pub = key + ".pub";
      return git_credential_ssh_key_new(out, user.c_str(), std::filesystem::exists(pub) ? pub.c_str() : nullptr,
                                        key.c_str(), nullptr);
    }
    if (!m_tried.insert("ssh-agent").second)
      return give_up(fmt::format("the ssh agent has no key that is accepted for user {}", user));
    return git_credential_ssh_key_from_agent(out, user.c_str());
  }
  if ((allowed & GIT_CREDENTIAL_USERNAME) && m_tried.insert("username").second)
    return git_credential_username_new(out, user.c_str());
  const auto target = parse_git_url(url);
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && target && target->scheme == "https") {
    // The credential, if any, went with every request as a header; a
    // challenge after it means it was refused.
    if (m_sent) return give_up("the credentials were refused: " + m_sent->source);
    return give_up(fmt::format("{}://{} asks for credentials: set $AIRLOCK_GIT_USERNAME and $AIRLOCK_GIT_PASSWORD, "
                               "or $AIRLOCK_GIT_TOKEN, or give a credentials file (--git-credentials)",
                               target->scheme, target->host));
  }
  return give_up("the remote asks for a kind of credentials that airlock does not offer for this URL");
}

}  // namespace airlock
