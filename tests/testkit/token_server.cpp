// A loopback token service for docker-registry's token auth: checks HTTP
// basic credentials and issues RS256 JWTs whose x5c header carries the
// signing certificate (the registry trusts it through rootcertbundle).
// Grants what the scope asks for. Logs each request on stdout.

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/file_util.hpp"
#include "common/openssl_handles.hpp"
#include "tests/testkit/testkit.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctime>
#include <vector>
#include <map>

namespace airlock::testkit {
namespace {

std::string base64url(std::string_view data) {
  std::string s = base64_encode(data);
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string cert_der_base64(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  const X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw Error("token server: cannot read the signing certificate");
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert.get(), &der);
  const OpensslBytesPtr owned(der);
  if (n <= 0) throw Error("token server: cannot encode the signing certificate");
  return base64_encode(std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n)));
}

std::string sign_rs256(EVP_PKEY* key, const std::string& input) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw Error("token server: cannot sign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw Error("token server: cannot sign");
  sig.resize(len);
  return sig;
}

}  // namespace

int token_server(const std::vector<std::string>& args) {
  std::map<std::string, std::string> opt;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) opt[args[i]] = args[i + 1];
  for (const char* k :
       {"--port", "--cert", "--key", "--sign-key", "--sign-cert", "--issuer", "--service", "--user", "--pass"})
    if (!opt.contains(k)) throw UsageError(fmt::format("token-server needs {}", k));
  const std::string sign_pem = read_small_file(opt["--sign-key"], 65536);
  BioPtr bio(BIO_new_mem_buf(sign_pem.data(), static_cast<int>(sign_pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw Error("token server: cannot read the signing key");
  const std::string x5c = cert_der_base64(read_small_file(opt["--sign-cert"], 65536));
  const std::string expected = "Basic " + base64_encode(opt["--user"] + ":" + opt["--pass"]);

  httplib::SSLServer server(opt["--cert"].c_str(), opt["--key"].c_str());
  // GET: HTTP basic credentials. POST: the OAuth2 refresh-token grant that
  // an auth file's identitytoken drives (--refresh-token).
  const auto issue = [&](const httplib::Request& req, httplib::Response& res) {
    // Each scope parameter (a mount asks for two) is repository:NAME:ACTION[,ACTION].
    std::vector<std::string> scopes;
    for (auto [it, end] = req.params.equal_range("scope"); it != end; ++it) scopes.push_back(it->second);
    std::string scope;
    for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
    const bool post = req.method == "POST";
    const bool authorised = post ? opt.contains("--refresh-token") &&
                                       req.get_param_value("grant_type") == "refresh_token" &&
                                       req.get_param_value("refresh_token") == opt["--refresh-token"]
                                 : req.get_header_value("Authorization") == expected;
    fmt::print("token {}{} scope={} service={}\n", authorised ? "granted" : "refused", post ? " (refresh)" : "", scope,
               req.get_param_value("service"));
    std::fflush(stdout);
    if (!authorised) {
      res.status = 401;
      res.set_content(R"({"details":"bad credentials"})", "application/json");
      return;
    }
    nlohmann::json access = nlohmann::json::array();
    for (const auto& s : scopes) {
      const auto first = s.find(':'), last = s.rfind(':');
      if (first == std::string::npos || last <= first) continue;
      nlohmann::json actions = nlohmann::json::array();
      const std::string list = s.substr(last + 1);
      for (std::size_t p = 0; p <= list.size();) {
        const auto comma = std::min(list.find(',', p), list.size());
        actions.push_back(list.substr(p, comma - p));
        p = comma + 1;
      }
      access.push_back(
          {{"type", s.substr(0, first)}, {"name", s.substr(first + 1, last - first - 1)}, {"actions", actions}});
    }
    unsigned char jti[8];
    RAND_bytes(jti, sizeof jti);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    const nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}, {"x5c", {x5c}}};
    const nlohmann::json claims{{"iss", opt["--issuer"]},
                                {"sub", opt["--user"]},
                                {"aud", opt["--service"]},
                                {"exp", now + 300},
                                {"nbf", now - 10},
                                {"iat", now},
                                {"jti", base64url(std::string_view(reinterpret_cast<char*>(jti), sizeof jti))},
                                {"access", access}};
    const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
    const std::string token = input + "." + base64url(sign_rs256(key.get(), input));
    res.set_content(nlohmann::json{{post ? "access_token" : "token", token}, {"expires_in", 300}}.dump(),
                    "application/json");
  };
  server.Get("/token", issue);
  server.Post("/token", issue);
  if (!server.listen("127.0.0.1", std::stoi(opt["--port"]))) throw Error("token server: cannot listen");
  return 0;
}

}  // namespace airlock::testkit
