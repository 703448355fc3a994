#pragma once
// The header of a bundle part (docs/FORMAT.md section 15): the first 4096
// bytes of every part file. A magic line, one line of JSON that says what
// the part is (which bundle, group and index, the group's shape, sizes),
// and the sha256 of that line, so that a damaged header makes its part a
// missing one instead of a misread one. Then the part's rows: each chunk
// of `chunk_size` bytes followed by the raw 32-byte sha256 of the chunk.

#include "common/sha256.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

inline constexpr std::string_view k_part_magic = "airlock-part 1\n";
inline constexpr std::uint64_t k_part_header_size = 4096;
inline constexpr std::uint64_t k_part_chunk_size = 256 * 1024;
inline constexpr std::uint64_t k_part_digest_size = 32;
inline constexpr int k_max_parts_per_group = 255;  // Reed-Solomon over GF(2^8)
inline constexpr std::uint64_t k_max_part_groups = 100000;

struct PartHeader {
  Digest bundle_digest;  // sha256 of the bundle's index: which bundle
  std::string set;       // 32 hex digits, random per split: parts of one set go together
  std::uint64_t bundle_size = 0;
  std::string release;  // name, version, sequence: unverified, for names and ordering only
  std::string version;
  std::uint64_t sequence = 0;
  std::uint64_t groups = 0;
  std::uint64_t group = 0;
  int data_parts = 0;
  int parity_parts = 0;
  int part = 0;  // 0 .. data_parts - 1: data; the rest parity
  std::uint64_t chunk_size = k_part_chunk_size;
  std::uint64_t rows = 0;          // chunks in this part
  std::uint64_t group_offset = 0;  // where the group's bytes start in the bundle
  std::uint64_t group_size = 0;    // the group's bytes of the bundle (the last stripe is padded with zeros)

  [[nodiscard]] bool is_parity() const noexcept { return part >= data_parts; }
  // Bytes the whole part file has.
  [[nodiscard]] std::uint64_t file_size() const noexcept {
    return k_part_header_size + rows * (chunk_size + k_part_digest_size);
  }
  // Exactly k_part_header_size bytes.
  [[nodiscard]] std::string encode() const;
  // nullopt when `block` does not start with the magic (not a part);
  // VerificationError naming `where` when it does but the rest is not a
  // sound header.
  [[nodiscard]] static std::optional<PartHeader> decode(std::string_view block, std::string_view where);
  // "demo-1.0.0-s1.331fbe5192cc.g00000.d000.part": sorts in order, says what it is.
  [[nodiscard]] std::string file_name() const;
};

}  // namespace airlock
