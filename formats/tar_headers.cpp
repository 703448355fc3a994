#include "formats/tar_headers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace airlock {
namespace {

constexpr std::size_t k_block = 512;
constexpr std::size_t k_typeflag = 156;
constexpr std::size_t k_size_field = 124;
constexpr std::size_t k_size_length = 12;

constexpr std::array<std::string_view, 9> k_pax_keys = {"path", "size", "mtime", "atime", "ctime",
                                                        "uid",  "gid",  "uname", "gname"};

// The size field of a header block (octal; libarchive has already read the
// header and checked its checksum). nullopt when it is not octal.
std::optional<std::uint64_t> header_size(std::span<const std::uint8_t> block) {
  std::uint64_t v = 0;
  bool digits = false;
  for (std::size_t i = k_size_field; i < k_size_field + k_size_length; ++i) {
    const auto c = block[i];
    if (c == 0 || c == ' ') {
      if (digits) break;
      continue;
    }
    if (c < '0' || c > '7' || v > (UINT64_MAX >> 3)) return std::nullopt;
    v = v * 8 + (c - '0');
    digits = true;
  }
  return v;
}

// "LEN key=value\n" records, LEN counting the whole record.
std::string pax_problem(std::string_view records) {
  while (!records.empty()) {
    const auto space = records.find(' ');
    if (space == 0 || space == std::string_view::npos || space > 20) return "a malformed pax record";
    std::uint64_t len = 0;
    for (const char c : records.substr(0, space)) {
      if (c < '0' || c > '9') return "a malformed pax record";
      len = len * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (len <= space + 1 || len > records.size() || records[len - 1] != '\n') return "a malformed pax record";
    const auto body = records.substr(space + 1, len - space - 2);
    const auto key = body.substr(0, body.find('='));
    if (key.size() == body.size()) return "a malformed pax record";
    if (std::find(k_pax_keys.begin(), k_pax_keys.end(), key) == k_pax_keys.end())
      return fmt::format("a pax record \"{}\" (airlock writes only path and size; tar implementations differ on "
                         "others)",
                         key.substr(0, 64));
    records.remove_prefix(len);
  }
  return {};
}

}  // namespace

std::string tar_header_problem(std::span<const std::uint8_t> blocks) {
  if (blocks.size() % k_block != 0 || blocks.empty()) return "its headers are not whole 512-byte blocks";
  std::size_t pos = 0;
  for (;;) {
    const auto block = blocks.subspan(pos, k_block);
    const char type = static_cast<char>(block[k_typeflag]);
    const bool last = pos + k_block == blocks.size();
    if (type == '0' || type == '\0') return last ? "" : "a file header followed by more headers";
    if (last) return fmt::format("a last header of type '{}'", type);  // libarchive names the type too
    if (type == 'g') return "a pax global header (GNU tar applies its names to later entries, libarchive does not)";
    if (type == 'L' || type == 'K') return "a GNU long-name header (airlock writes pax headers)";
    if (type != 'x') return fmt::format("an extension header of type '{}'", type);
    const auto size = header_size(block);
    if (!size || *size > blocks.size() - pos - k_block) return "a pax header whose size does not fit its blocks";
    const auto data = blocks.subspan(pos + k_block, static_cast<std::size_t>(*size));
    if (auto why = pax_problem({reinterpret_cast<const char*>(data.data()), data.size()}); !why.empty()) return why;
    pos += k_block + (static_cast<std::size_t>(*size) + k_block - 1) / k_block * k_block;
    if (pos >= blocks.size()) return "a pax header with no file header after it";
  }
}

}  // namespace airlock
