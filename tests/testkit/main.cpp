#include "common/error.hpp"
#include "tests/testkit/testkit.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr,
                 "usage: airlock-testkit layout DIR REF [--platform OS/ARCH]... --layer SEED:SIZE...\n"
                 "       airlock-testkit mutate IN OUT CASE [--key KEY]\n"
                 "       airlock-testkit token-server --port P --cert C --key K --sign-key SK --sign-cert SC "
                 "--issuer I --service S --user U --pass PW\n"
                 "       airlock-testkit registry-front --port P --cert C --key K --ca CA --upstream URL --user U "
                 "--pass PW [--fail-first N] [--fail-random PERCENT --seed N] [--drop-after BYTES]\n"
                 "         [--redirect-blobs]\n"
                 "       airlock-testkit hostile-registry --port P --mode MODE [--storage-port SP] "
                 "[--user U --pass PW]\n"
                 "       airlock-testkit raw-registry --port P [--mode cut|stall|headers-huge|headers-many] "
                 "[--keep BYTES]\n");
    return 2;
  }
  try {
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "layout") return airlock::testkit::make_layout(rest);
    if (args[0] == "mutate") return airlock::testkit::mutate_bundle(rest);
    if (args[0] == "token-server") return airlock::testkit::token_server(rest);
    if (args[0] == "registry-front") return airlock::testkit::registry_front(rest);
    if (args[0] == "hostile-registry") return airlock::testkit::hostile_registry(rest);
    if (args[0] == "raw-registry") return airlock::testkit::raw_registry(rest);
    std::fprintf(stderr, "airlock-testkit: unknown command %s\n", args[0].c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "airlock-testkit: error: %s\n", e.what());
    return 1;
  }
}
