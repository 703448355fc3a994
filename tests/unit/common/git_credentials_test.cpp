// Which https:// credential a git remote gets: the URL's own, the
// environment's, or the most specific line of a git-credential-store file.
// The messages name the source, never the secret.
#include "common/git_credentials.hpp"

#include "common/scope_guard.hpp"
#include "common/temp_dir.hpp"
#include "tests/unit/error_matcher.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace airlock;
using airlock::test::FailsWith;
using Catch::Matchers::Contains;

namespace {

// The environment's git credentials cleared for the test, restored after.
class CleanEnv {
public:
  CleanEnv() {
    for (const char* n : k_names) {
      const char* v = std::getenv(n);
      m_saved.push_back(v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(n);
    }
  }
  CleanEnv(const CleanEnv&) = delete;
  CleanEnv& operator=(const CleanEnv&) = delete;
  ~CleanEnv() {
    for (std::size_t i = 0; i < m_saved.size(); ++i)
      m_saved[i] ? ::setenv(k_names[i], m_saved[i]->c_str(), 1) : ::unsetenv(k_names[i]);
  }

private:
  static constexpr const char* k_names[] = {"AIRLOCK_GIT_USERNAME", "AIRLOCK_GIT_PASSWORD", "AIRLOCK_GIT_TOKEN"};
  std::vector<std::optional<std::string>> m_saved;
};

struct CredentialsFile {
  TempDir dir{"airlock-git-test"};
  std::filesystem::path path = dir.path() / "git-credentials";
  GitOptions options;

  explicit CredentialsFile(const std::string& text) {
    std::ofstream(path) << text;
    options.credentials_file = path;
  }
  [[nodiscard]] std::optional<HttpsCredential> for_url(const std::string& url) const {
    return https_credential(url, options, read_git_credentials_file(path));
  }
};

}  // namespace

TEST_CASE("the URL's own user and password come first, then the environment, then the file", "[git][git_credentials]") {
  CleanEnv env;
  const CredentialsFile file("https://filed:from-file@host\n");

  auto c = file.for_url("https://alice:pw%2Fin-url@host/r.git");
  REQUIRE(c);
  CHECK(c->user == "alice");
  CHECK(c->password == "pw/in-url");
  CHECK(c->source == "the user and password in the URL (user alice)");

  ::setenv("AIRLOCK_GIT_USERNAME", "bob", 1);
  CHECK(file.for_url("https://host/r.git")->user == "filed");  // a user without a password is not a credential
  ::setenv("AIRLOCK_GIT_PASSWORD", "env-pw", 1);
  ::setenv("AIRLOCK_GIT_TOKEN", "env-token", 1);
  c = file.for_url("https://host/r.git");
  REQUIRE(c);
  CHECK(c->user == "bob");
  CHECK(c->password == "env-pw");
  CHECK(c->source == "$AIRLOCK_GIT_USERNAME/$AIRLOCK_GIT_PASSWORD (user bob)");

  ::unsetenv("AIRLOCK_GIT_USERNAME");
  c = file.for_url("https://host/r.git");
  REQUIRE(c);
  CHECK(c->user == "x-access-token");
  CHECK(c->password == "env-token");
  CHECK(c->source == "$AIRLOCK_GIT_TOKEN");

  ::unsetenv("AIRLOCK_GIT_TOKEN");
  c = file.for_url("https://host/r.git");
  REQUIRE(c);
  CHECK(c->user == "filed");
  CHECK(c->password == "from-file");
  CHECK_THAT(c->source, Contains(file.path.string()) && Contains("line 1") && Contains("user filed"));
  CHECK_THAT(c->source, !Contains("from-file"));
}

TEST_CASE("only https:// remotes get a credential", "[git][git_credentials]") {
  CleanEnv env;
  ::setenv("AIRLOCK_GIT_TOKEN", "env-token", 1);
  const CredentialsFile file("ssh://git:pw@host\nhttps://u:p@host\n");
  for (const char* url : {"ssh://git@host/r.git", "git://host/r.git", "file:///srv/r.git", "/srv/r.git",
                          "git@host:r.git", "ssh://u:pw@host/r.git"})
    CHECK_FALSE(file.for_url(url));
}

TEST_CASE("a credentials file line matches scheme, host, port and a path prefix; the longest wins",
          "[git][git_credentials]") {
  CleanEnv env;
  const CredentialsFile file("# a comment line and blank lines are skipped\n"
                             "\n"
                             "https://nouser@\n"
                             "https://host-only:a@git.example.com\n"
                             "https://org:b@git.example.com/org\n"
                             "https://repo:c%40d@git.example.com/org/repo.git  \n"
                             "https://port:e@git.example.com:8443\n"
                             "https://other:f@other.example.com/org\n"
                             "https://:g@git.example.com/org/empty-user\n");
  const auto user_for = [&](const std::string& url) {
    const auto c = file.for_url(url);
    return c ? c->user + ":" + c->password : std::string("(none)");
  };
  CHECK(user_for("https://git.example.com/org/repo.git") == "repo:c@d");
  CHECK(user_for("https://git.example.com/org/repo.git/") == "repo:c@d");
  CHECK(user_for("https://git.example.com/org/other.git") == "org:b");
  CHECK(user_for("https://git.example.com/org") == "org:b");
  CHECK(user_for("https://git.example.com/organisation/x.git") == "host-only:a");  // a prefix of whole segments
  CHECK(user_for("https://GIT.example.com:443/elsewhere") == "host-only:a");
  CHECK(user_for("https://git.example.com:8443/org/repo.git") == "port:e");
  CHECK(user_for("https://third.example.com/org") == "(none)");
  CHECK(user_for("https://git.example.com/org/empty-user") == "org:b");  // a line without a user is skipped
  // A user in the URL picks the line of that user.
  CHECK(user_for("https://org@git.example.com/org/repo.git") == "org:b");
  CHECK(user_for("https://nobody@git.example.com/org/repo.git") == "(none)");
  CHECK(file.for_url("https://git.example.com/org/repo.git")->source.find("line 6") != std::string::npos);
}

TEST_CASE("an unreadable credentials file is a usage error naming it", "[git][git_credentials]") {
  TempDir dir("airlock-git-test");
  const auto missing = dir.path() / "none";
  REQUIRE_THROWS_MATCHES(read_git_credentials_file(missing), UsageError,
                         FailsWith(ExitCode::usage, {"git credentials file", missing.string()}));
}

TEST_CASE("the credential callback offers each ssh key once and says why it stopped", "[git][git_credentials]") {
  TempDir dir("airlock-git-test");
  GitOptions options;
  options.ssh_key = dir.path() / "id_ed25519";
  std::ofstream(*options.ssh_key) << "not a key, never read here\n";
  GitLibrary lib;
  GitCredentialState state(options, nullptr);
  git_credential* cred = nullptr;
  REQUIRE(state.acquire(&cred, "ssh://git@host/r.git", "git", GIT_CREDENTIAL_SSH_KEY) == 0);
  REQUIRE(GitPtr<git_credential>(cred));  // libgit2 would own it
  CHECK(state.note().empty());
  CHECK(state.acquire(&cred, "ssh://git@host/r.git", "git", GIT_CREDENTIAL_SSH_KEY) == GIT_EAUTH);
  CHECK_THAT(state.note(), Contains("id_ed25519") && Contains("was refused for user git"));

  const HttpsCredential sent{"$AIRLOCK_GIT_TOKEN", "x-access-token", "tok-secret"};
  GitCredentialState https(options, &sent);
  CHECK(https.acquire(&cred, "https://host/r.git", "", GIT_CREDENTIAL_USERPASS_PLAINTEXT) == GIT_EAUTH);
  CHECK(https.note() == "the credentials were refused: $AIRLOCK_GIT_TOKEN");
  CHECK(git_error_text() == https.note());
  GitCredentialState none(options, nullptr);
  CHECK(none.acquire(&cred, "https://u:pw@host:8443/r.git", "", GIT_CREDENTIAL_USERPASS_PLAINTEXT) == GIT_EAUTH);
  CHECK_THAT(none.note(), Contains("https://host asks for credentials") && Contains("AIRLOCK_GIT_TOKEN") &&
                              Contains("--git-credentials") && !Contains("pw"));
}
