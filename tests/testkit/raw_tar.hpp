#pragma once
// Tar header blocks written by hand, for the forms libarchive's writer
// never emits (global headers, GNU long names, any type byte): the bad
// bundles of the testkit and the archives of fuzz_bundle_entries.

#include <algorithm>
#include <cstdio>
#include <string>

namespace airlock::testkit {

// One ustar header block of `type` named `name` (cut at 99 bytes) with
// `data` as its body, checksum filled in, the body padded to 512 bytes.
inline std::string raw_header(char type, const std::string& name, const std::string& data) {
  std::string h(512, '\0');
  name.copy(h.data(), std::min<std::size_t>(name.size(), 99));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  h[156] = type;
  std::string("ustar\0"
              "00",
              8)
      .copy(h.data() + 257, 8);
  unsigned sum = 0;
  for (const char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);  // six digits, NUL, and the space left from the fill
  std::string padded = data;
  padded.resize((data.size() + 511) / 512 * 512, '\0');
  return h + padded;
}

// "LEN key=value\n", LEN counting itself.
inline std::string pax_record(const std::string& key, const std::string& value) {
  const std::size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  std::size_t len = body + 1;
  while (std::to_string(len).size() + body != len) ++len;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

}  // namespace airlock::testkit
