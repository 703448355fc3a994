// load_release_spec() on a spec file's bytes, written to a scratch
// directory (its relative paths resolve there; loading reads no other file).

#include "formats/release_spec.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = fuzz::scratch_dir() / "spec.yaml";
  fuzz::write_file(path, fuzz::as_text(data, size));
  fuzz::refusals_expected([&] {
    const auto spec = load_release_spec(path);
    fuzz::check(!spec.name.empty() && spec.sequence > 0, "a spec without a name or sequence loads");
  });
  return 0;
}
