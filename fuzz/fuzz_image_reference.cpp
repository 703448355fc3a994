// Image references, the name grammar and the escaping of untrusted text,
// on the same bytes (a name from a bundle is both parsed and printed).
// Properties: try_parse() and parse() agree; a parsed reference's str()
// parses again to the same reference, whose registry is a host and whose
// repository is valid; a bundle name is a valid name; the name checks
// never crash whatever bytes they get; printable() output holds no control
// byte (C0, DEL, C1), no invalid UTF-8 and no character that reorders or
// hides text, and terminal_safe() the same with newlines allowed.

#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/image_name.hpp"
#include "formats/image_reference.hpp"
#include "formats/names.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

namespace {

// An independent strict UTF-8 reader (RFC 3629): the code point at s[i]
// and its length, length 0 when the bytes there are not well-formed.
std::pair<char32_t, std::size_t> next_code_point(std::string_view s, std::size_t i) {
  const auto u = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  if (c <= 0x7F) return {c, 1};
  std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {0, 0};
  char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((u(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (u(i + k) & 0x3F);
  }
  const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, len};
}

void check_printable(std::string_view out, bool newlines, std::string_view input) {
  for (std::size_t i = 0; i < out.size();) {
    const auto [cp, n] = next_code_point(out, i);
    fuzz::check(n > 0, "printable output holds invalid UTF-8", input);
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
    fuzz::check(!control || (newlines && cp == '\n'), "printable output holds a control character", input);
    const bool hides = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
                       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
    fuzz::check(!hides, "printable output holds a character that reorders or hides text", input);
    i += n;
  }
}

bool same(const ImageReference& a, const ImageReference& b) {
  return a.registry == b.registry && a.repository == b.repository && a.tag == b.tag && a.digest == b.digest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto ref = ImageReference::try_parse(text);
  bool threw = false;
  try {
    const auto parsed = ImageReference::parse(text, "fuzz");
    fuzz::check(ref && same(*ref, parsed), "parse() accepts what try_parse() refuses, or reads it otherwise", text);
  } catch (const UsageError&) {
    threw = true;
  }
  fuzz::check(threw == !ref, "parse() refuses what try_parse() accepts", text);
  if (ref) {
    const auto str = ref->str();
    const auto again = ImageReference::try_parse(str);
    fuzz::check(again && same(*again, *ref), "str() of a reference does not parse to the same reference", str);
    fuzz::check(is_valid_domain(ref->registry) && is_registry_host(ref->registry),
                "a parsed reference's registry is not a valid registry host", ref->registry);
    fuzz::check(is_valid_repository(ref->repository), "a parsed reference's repository is not valid", ref->repository);
    const auto bundle_name = ref->bundle_name();
    try {
      fuzz::check(ImageName::parse(bundle_name, "bundle name").str() == bundle_name, "a bundle name reads otherwise",
                  bundle_name);
    } catch (const UsageError& e) {
      fuzz::check(false, "a parsed reference's bundle name is not a valid name", bundle_name + "\n" + e.what());
    }
  }
  fuzz::refusals_expected([&] {
    const auto name = ImageName::parse(text, "fuzz");
    fuzz::check(is_valid_repository(name.repository) && is_valid_tag(name.tag),
                "ImageName::parse() accepts an invalid name", text);
  });
  (void)is_registry_host(text.substr(0, text.find('/')));
  (void)unsafe_component_reason(text);
  (void)unsafe_path_reason(text);
  (void)release_dir_reason(text);
  (void)is_valid_release_name(text);
  (void)is_valid_release_version(text);
  check_printable(printable(text), false, text);
  check_printable(terminal_safe(text), true, text);
  const auto half = text.find('\n');
  if (half != std::string_view::npos) (void)release_dirs_overlap(text.substr(0, half), text.substr(half + 1));
  return 0;
}
