// The auth session across scopes, against a loopback registry: one
// challenge per registry, not one per repository.
#include "common/registry_client.hpp"

#include "../loopback_server.hpp"
#include "common/base64.hpp"

#include <catch2/catch.hpp>

using namespace airlock;
using airlock::test::auth_for;
using airlock::test::basic_challenged;
using airlock::test::loopback_options;
using airlock::test::LoopbackServer;

namespace {

const std::string k_manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";

}  // namespace

TEST_CASE("registry session: basic credentials, once challenged, go with every repository's requests",
          "[registry_session]") {
  LoopbackServer s;
  const std::string expected = "Basic " + base64_encode("u:p");
  s.server.Get("/v2/(.*)/manifests/1.0", [&](const httplib::Request& req, httplib::Response& res) {
    const bool challenged = basic_challenged(req, res, expected);
    s.log(req.matches[1].str() + (challenged ? " 401" : " authorized"));
    if (challenged) return;
    res.set_content(k_manifest, "application/vnd.oci.image.manifest.v1+json");
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  for (const char* repo : {"org/a", "org/b", "org/c"}) CHECK(c.get_manifest(repo, "1.0").bytes == k_manifest);
  CHECK(s.logged() ==
        std::vector<std::string>{"org/a 401", "org/a authorized", "org/b authorized", "org/c authorized"});
}

TEST_CASE("registry session: a new repository's token is fetched from the challenge's realm before its first "
          "request",
          "[registry_session]") {
  LoopbackServer s;
  s.server.Get("/token", [&](const httplib::Request& req, httplib::Response& res) {
    std::string scopes;
    for (auto [it, end] = req.params.equal_range("scope"); it != end; ++it)
      scopes += (scopes.empty() ? "" : " ") + it->second;
    s.log("token " + scopes + " service=" + req.get_param_value("service") +
          " auth=" + req.get_header_value("Authorization"));
    res.set_content(R"({"token":"tok )" + scopes + R"("})", "application/json");
  });
  const auto challenge = [&](httplib::Response& res, const std::string& scopes) {
    res.status = 401;
    res.set_header("WWW-Authenticate",
                   "Bearer realm=\"" + s.origin() + "/token\",service=\"svc\",scope=\"" + scopes + "\"");
  };
  s.server.Get("/v2/(.*)/manifests/1.0", [&](const httplib::Request& req, httplib::Response& res) {
    const auto repo = req.matches[1].str();
    if (req.get_header_value("Authorization") != "Bearer tok repository:" + repo + ":pull") {
      s.log(repo + " 401");
      return challenge(res, "repository:" + repo + ":pull");
    }
    s.log(repo + " authorized");
    res.set_content(k_manifest, "application/vnd.oci.image.manifest.v1+json");
  });
  // A mount needs pull on the source too: the token fetched ahead names only
  // the target, and the 401 names both.
  s.server.Post("/v2/org/c/blobs/uploads/", [&](const httplib::Request& req, httplib::Response& res) {
    const auto both = std::string("repository:org/c:pull,push repository:org/a:pull");
    if (req.get_header_value("Authorization") != "Bearer tok " + both) {
      s.log("mount 401 with " + req.get_header_value("Authorization"));
      return challenge(res, both);
    }
    s.log("mount authorized");
    res.status = 201;
  });
  s.start();
  RegistryClient c(s.host(), loopback_options({s.host()}), auth_for(s.host(), "u", "p"));
  for (const char* repo : {"org/a", "org/b", "org/a"}) CHECK(c.get_manifest(repo, "1.0").bytes == k_manifest);
  const std::string basic = "Basic " + base64_encode("u:p");
  CHECK(s.logged() == std::vector<std::string>{"org/a 401", "token repository:org/a:pull service=svc auth=" + basic,
                                               "org/a authorized",
                                               "token repository:org/b:pull service=svc auth=" + basic,
                                               "org/b authorized", "org/a authorized"});

  // A token that does not cover a request is refreshed from that request's
  // own challenge.
  CHECK(c.mount_blob("org/c", Sha256::of("x"), "org/a"));
  const auto log = s.logged();
  REQUIRE(log.size() == 10);
  CHECK(std::vector<std::string>(log.begin() + 6, log.end()) ==
        std::vector<std::string>{"token repository:org/c:pull,push service=svc auth=" + basic,
                                 "mount 401 with Bearer tok repository:org/c:pull,push",
                                 "token repository:org/c:pull,push repository:org/a:pull service=svc auth=" + basic,
                                 "mount authorized"});
}
