// Site values: resolve_site_values() on a --values file's bytes against a
// few declared values, then substitute_values() into YAML text. The input
// is the values file, then the text (FuzzedDataProvider's split).
// Properties: placeholders found stand at their offsets with valid names;
// every value resolved is declared and one line; text without placeholders
// comes out unchanged, and with values free of '$' none is left.

#include "formats/placeholder.hpp"
#include "fuzz/fuzz_support.hpp"
#include "importer/site_values.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>

using namespace airlock;

namespace {

const std::vector<DeclaredValue> k_declared = {
    {"ingress_host", "Host name the site serves the UI on", std::nullopt},
    {"storage_class", "", "standard"},
    {"replicas", "", "1"},
    {"_x9", "", ""},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto values_file = in.ConsumeRandomLengthString(4096);
  const auto text = in.ConsumeRemainingBytesAsString();
  static const auto path = fuzz::scratch_dir() / "values.yaml";
  fuzz::write_file(path, values_file);
  std::vector<Placeholder> found;
  bool scanned = false;
  fuzz::refusals_expected([&] {
    found = find_placeholders(text, "fuzz.yaml");
    scanned = true;
    for (const auto& p : found) {
      fuzz::check(p.offset + p.length <= text.size() && text.substr(p.offset, 10) == "${airlock:" &&
                      text[p.offset + p.length - 1] == '}',
                  "a placeholder does not stand at its offset", text);
      fuzz::check(is_valid_value_name(p.name) && text.substr(p.offset + 10, p.name.size()) == p.name,
                  "a placeholder's name is not the valid name written", p.name);
    }
  });
  fuzz::refusals_expected([&] {
    const auto values = resolve_site_values(k_declared, path);
    for (const auto& [value_name, value] : values) {
      const auto& name = value_name;  // clang 14 cannot capture structured bindings
      fuzz::check(std::any_of(k_declared.begin(), k_declared.end(), [&](const auto& d) { return d.name == name; }),
                  "a value resolved that the release does not declare", name);
      fuzz::check(std::none_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }),
                  "a value resolved that is not one line", value);
    }
    const auto out = substitute_values(text, "fuzz.yaml", k_declared, values, path);
    fuzz::check(scanned, "substitute_values() accepts text find_placeholders() refuses", text);
    if (found.empty()) fuzz::check(out == text, "text without placeholders changed");
    if (std::none_of(values.begin(), values.end(),
                     [](const auto& v) { return v.second.find('$') != std::string::npos; }))
      fuzz::check(find_placeholders(out, "out.yaml").empty(), "a placeholder is left after substitution", out);
  });
  return 0;
}
