// What verify, inspect, import and promote print: JSON for scripts, text
// for a person, from the library.
#include "importer/import_report.hpp"
#include "importer/verify_report.hpp"

#include <catch2/catch.hpp>

using namespace airlock;

namespace {

Digest digest(char c) { return *Digest::from_hex(std::string(64, c)); }

BundleIndex sample_index() {
  BundleIndex index;
  index.name = "platform";
  index.version = "2.4.1";
  index.sequence = 7;
  index.created = 1700000000;
  index.expires = 1700086400;
  IndexImage img;
  img.name = "harness/api:v2.4.1";
  img.repository = "harness/api";
  img.tag = "v2.4.1";
  img.source = "docker://docker.io/harness/api:v2.4.1";
  img.digest = digest('a');
  img.media_type = "application/vnd.oci.image.manifest.v1+json";
  img.size = 1234;
  img.platforms = {"linux/amd64"};
  index.images.push_back(img);
  index.entries.push_back({"oci-layout", digest('1'), 30});
  index.entries.push_back({"manifests/app.yaml", digest('2'), 100});
  index.entries.push_back({"blobs/sha256/" + std::string(64, 'a'), digest('a'), 500});
  index.entries.push_back({"blobs/sha256/" + std::string(64, 'b'), digest('b'), 700});
  return index;
}

VerifyReport sample_verify() {
  VerifyReport r;
  r.bundle = "b.tar.zst";
  r.index = sample_index();
  r.bundle_digest = digest('d');
  r.trust.signer_keyids = {"k1", "k2"};
  r.trust.trusted_keyids = {"k1"};
  r.trust.trusted_sources = {"signer.pub"};
  r.compressed_bytes = 999;
  return r;
}

}  // namespace

TEST_CASE("verify report: JSON names the bundle, the trust and the totals", "[report]") {
  const auto j = verify_report(sample_verify()).json;
  CHECK(j["verified"] == true);
  CHECK(j["bundleDigest"] == digest('d').str());
  CHECK(j["signers"] == nlohmann::json::array({"k1", "k2"}));
  CHECK(j["trustedSigners"][0]["key"] == "signer.pub");
  CHECK(j["trustPolicy"].is_null());
  CHECK(j["release"]["sequence"] == 7);
  CHECK(j["totals"]["blobs"] == 2);
  CHECK(j["totals"]["blobBytes"] == 1200);
  CHECK(j["totals"]["entries"] == 5);  // the envelope counts
  CHECK(j["manifests"].size() == 1);
}

TEST_CASE("verify report: text says VERIFIED and which signer is not trusted", "[report]") {
  const auto text = verify_report(sample_verify()).text;
  CHECK(text.starts_with("VERIFIED b.tar.zst\n"));
  CHECK(text.find("signed by: k1 (trusted key signer.pub)") != std::string::npos);
  CHECK(text.find("also signed by: k2 (not trusted here)") != std::string::npos);
  CHECK(text.find("release:   platform 2.4.1 (sequence 7)") != std::string::npos);
  CHECK(text.find("trust:") == std::string::npos);  // --pubkey, not a policy
}

TEST_CASE("inspect report: never claims verification", "[report]") {
  InspectReport r{"b.tar.zst", sample_index(), digest('d'), {"k1"}};
  CHECK(inspect_report(r).json["verified"] == false);
  CHECK(inspect_report(r).text.starts_with("NOT VERIFIED"));
}

TEST_CASE("import report: a replay says so", "[report]") {
  ImportReport r;
  r.verified = sample_verify();
  r.registry = "reg:5000";
  r.git = GitReport{"file:///g", "dev", "platform"};
  r.git->already_imported = true;
  const auto j = import_report(r).json;
  CHECK(j["verified"] == true);  // a replay reads the copy to its end
  CHECK(j["signatureVerified"] == true);
  CHECK(j["git"]["alreadyImported"] == true);
  CHECK(import_report(r).text.starts_with("already imported: platform 2.4.1 (sequence 7)"));
}

TEST_CASE("import report: images with their pinned references", "[report]") {
  ImportReport r;
  r.verified = sample_verify();
  r.registry = "reg:5000";
  r.prefix = "vendor";
  r.loaded = true;
  r.images.push_back({"harness/api:v2.4.1", "vendor/harness/api", "v2.4.1", digest('a'), true});
  r.blobs_uploaded = 3;
  r.bytes_uploaded = 3 << 20;
  const auto j = import_report(r).json;
  CHECK(j["imported"][0]["reference"] == "reg:5000/vendor/harness/api@" + digest('a').str());
  CHECK(j["blobs"]["uploaded"] == 3);
  const auto text = import_report(r).text;
  CHECK(text.find("imported platform 2.4.1 (sequence 7) into reg:5000") != std::string::npos);
  CHECK(text.find("blobs: 3 uploaded (3.0 MiB)") != std::string::npos);
}

TEST_CASE("promote report: the URL's password never shows", "[report]") {
  const PromoteResult r{PromoteResult::Kind::merged, "abc123"};
  const auto j = promote_report(r, "https://user:s3cret@git.example/x.git", "dev", "prod").json;
  CHECK(j["git"] == "https://user:***@git.example/x.git");
  CHECK(j["result"] == "merged");
  CHECK(promote_report(r, "", "dev", "prod").text == "promote dev into prod: merged (abc123)\n");
}
