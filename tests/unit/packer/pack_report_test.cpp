// What create, sign, images and keygen print, from the library.
#include "packer/pack_report.hpp"

#include <catch2/catch.hpp>

using namespace airlock;

namespace {

Digest digest(char c) { return *Digest::from_hex(std::string(64, c)); }

}  // namespace

TEST_CASE("pack report: JSON and text name the bundle, its digest and signers", "[report]") {
  PackResult r;
  r.index.name = "platform";
  r.index.version = "1.0";
  r.index.sequence = 3;
  r.index.entries.push_back({"oci-layout", digest('1'), 30});
  r.bundle_digest = digest('d');
  r.keyids = {"k1", "k2"};
  r.compressed_bytes = 4096;
  const auto j = pack_report(r, "out.tar.zst").json;
  CHECK(j["bundle"] == "out.tar.zst");
  CHECK(j["bundleDigest"] == digest('d').str());
  CHECK(j["keyid"] == "k1");
  CHECK(j["entries"] == 2);
  const auto text = pack_report(r, "out.tar.zst").text;
  CHECK(text.find("wrote out.tar.zst: platform 1.0 (sequence 3)") != std::string::npos);
  CHECK(text.find("signed by keys: k1, k2") != std::string::npos);
}

TEST_CASE("sign report: previous and added signers", "[report]") {
  SignBundleResult r;
  r.index.name = "platform";
  r.bundle_digest = digest('d');
  r.added_keyids = {"k2"};
  CHECK(sign_report(r, "b").json["previousKeyids"].empty());
  CHECK(sign_report(r, "b").text.find("signed before by: nobody\nadded: k2") != std::string::npos);
}

TEST_CASE("images report and the one warning wording", "[report]") {
  ReleasePlan plan;
  plan.images.push_back({"org/app:1", "docker://quay.io/org/app:1", std::nullopt, {"spec.yaml:3", "k8s/a.yaml:9"}});
  FoundImage w;
  w.text = "ghcr.io/org/helper:1";
  w.reference = ImageReference::parse(w.text, "test");
  w.where = "k8s/a.yaml:14";
  w.context = "Deployment/web spec.args[0]";
  plan.unbundled.push_back(w);
  const auto j = images_report(plan).json;
  CHECK(j["images"][0]["foundAt"].size() == 2);
  CHECK(j["warnings"][0]["reference"] == "ghcr.io/org/helper:1");
  CHECK(images_report(plan).text ==
        "org/app:1\n  from docker://quay.io/org/app:1\n  at   spec.yaml:3\n  at   k8s/a.yaml:9\n"
        "1 image to bundle, 1 reference found that is not bundled:\n"
        "  ghcr.io/org/helper:1  at k8s/a.yaml:14 (Deployment/web spec.args[0])\n");
  CHECK(images_report(plan).json["summary"] == nlohmann::json{{"images", 1}, {"unbundled", 1}});
  CHECK(unbundled_reference_warning(w) ==
        "k8s/a.yaml:14: \"ghcr.io/org/helper:1\" looks like an image outside an image field (Deployment/web "
        "spec.args[0]); the bundle will not carry it: list it under images: in the spec if the release needs it (it "
        "is then rewritten in place)");
}

TEST_CASE("images report: the kustomize transformers that changed a reference", "[report]") {
  ReleasePlan plan;
  PlannedImage img{"metrics-server/metrics-server:v0.9.0",
                   "docker://registry.k8s.io/metrics-server/metrics-server:v0.9.0",
                   std::nullopt,
                   {"ms/base/deployment.yaml:21", "ms/other.yaml:3"},
                   {{0,
                     "gcr.io/k8s-staging-metrics-server/metrics-server:master",
                     {"ms/components/release/kustomization.yaml:4"}}}};
  plan.images.push_back(img);
  plan.kustomize_notes.push_back("spec.yaml:5: 13 files ...");
  const auto r = images_report(plan);
  CHECK(r.text == "metrics-server/metrics-server:v0.9.0\n"
                  "  from docker://registry.k8s.io/metrics-server/metrics-server:v0.9.0\n"
                  "  at   ms/base/deployment.yaml:21\n"
                  "       was gcr.io/k8s-staging-metrics-server/metrics-server:master, set by "
                  "ms/components/release/kustomization.yaml:4\n"
                  "  at   ms/other.yaml:3\n"
                  "1 image to bundle, 0 references found that are not bundled\n");
  CHECK(r.json["images"][0]["transformed"].dump() ==
        R"([{"at":"ms/base/deployment.yaml:21","was":"gcr.io/k8s-staging-metrics-server/metrics-server:master",)"
        R"("setBy":["ms/components/release/kustomization.yaml:4"]}])");
  CHECK(r.json["kustomizeNotes"].dump() == R"(["spec.yaml:5: 13 files ..."])");
}
