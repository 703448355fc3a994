// BundleIndex::parse on JSON. Property: what parses serialises to JSON that
// parses again to the same serialisation (to_json() is deterministic).

#include "formats/bundle_index.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::refusals_expected([&] {
    const auto index = BundleIndex::parse(fuzz::as_text(data, size), "fuzz.json");
    const auto json = index.to_json();
    BundleIndex again;
    try {
      again = BundleIndex::parse(json, "again.json");
    } catch (const Error& e) {
      fuzz::check(false, "an index's own JSON does not parse again", e.what());
    }
    fuzz::check(again.to_json() == json, "an index's JSON changes through parse", json);
    std::uint64_t total = 0;
    for (const auto& e : index.entries) {
      fuzz::check(index.find_entry(e.path) != nullptr, "find_entry() misses a listed entry", e.path);
      total += e.size;
    }
    fuzz::check(index.total_entry_bytes() == total, "total_entry_bytes() is not the sum of the sizes");
  });
  return 0;
}
