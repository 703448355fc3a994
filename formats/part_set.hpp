#pragma once
// Reading a bundle back from its parts (docs/FORMAT.md section 15):
// finding them (a directory, or part files), telling sets apart (each split
// has its own set id), saying per group which parts are there, missing or
// damaged and whether the set decodes, and streaming the bundle's bytes
// out of them: each stripe from its data chunks when they are whole, else
// decoded from whatever chunks of it are, one stripe in memory. No
// reassembled copy is written anywhere.

#include "common/byte_stream.hpp"
#include "common/fd.hpp"
#include "common/reed_solomon.hpp"
#include "formats/part_header.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct PartFile {
  std::filesystem::path path;
  PartHeader header;
  std::uint64_t whole_rows = 0;  // rows the file holds to their end (fewer when it was cut short)
};

struct PartGroupStatus {
  std::uint64_t group = 0;
  int data_parts = 0;
  int parity_parts = 0;
  std::vector<int> present;                          // whole
  std::vector<int> missing;                          // no file
  std::vector<std::pair<int, std::string>> damaged;  // a file, cut short or disagreeing: why
  bool decodable = false;                            // every row has `data_parts` chunks to read
};

struct PartSet {
  PartHeader first;                                         // the set's identity: bundle digest, set, sizes, release
  std::vector<std::vector<std::optional<PartFile>>> parts;  // [group][part], each group's size from its parts
  std::vector<std::pair<std::filesystem::path, std::string>> rejected;  // of this set, and why

  [[nodiscard]] std::vector<PartGroupStatus> status() const;
  [[nodiscard]] bool decodable() const;
  // "parts of demo 1.0.0 (sequence 1, bundle sha256:…, set …)"
  [[nodiscard]] std::string name() const;
  // Throws VerificationError naming each group that does not decode and its
  // missing and damaged parts.
  void require_decodable(const std::string& where) const;
};

struct PartScan {
  std::vector<PartSet> sets;                                           // in order of release, sequence, set
  std::vector<std::pair<std::filesystem::path, std::string>> damaged;  // a part magic but a header that does not read
};

// Every input a part file or a directory of them (its top level; names
// starting with '.' are not looked at, nor are files that are not parts).
// UsageError for an input that cannot be read.
[[nodiscard]] PartScan scan_parts(const std::vector<std::filesystem::path>& inputs);

// The one set of parts among `inputs` (scan_parts), decodable as far as its
// files say. UsageError when there is none (`what` names the input: "bundle",
// "parts") or parts of several sets, naming them; VerificationError naming
// the groups and parts when it does not decode.
[[nodiscard]] PartSet one_part_set(const std::vector<std::filesystem::path>& inputs, std::string_view what);

// "d03", "p01": a part of a group of `data_parts` data parts, as names and
// messages show it.
[[nodiscard]] std::string part_label(int part, int data_parts);

// Whether `path` is a part file (starts with the part magic).
[[nodiscard]] bool is_part_file(const std::filesystem::path& path);

class PartSetInput final : public ByteInput {
public:
  // `set` must be decodable as far as its files say (status()).
  explicit PartSetInput(PartSet set);
  std::size_t read(std::span<std::uint8_t> buffer) override;

  // Rows that needed parity so far.
  [[nodiscard]] std::uint64_t decoded_rows() const noexcept { return m_decoded_rows; }

private:
  void next_row();
  bool read_chunk(std::size_t part, std::uint64_t row);

  PartSet m_set;
  std::uint64_t m_group = 0;
  std::uint64_t m_row = 0;
  std::uint64_t m_position = 0;  // bytes of the bundle produced
  std::vector<Fd> m_fds;         // this group's parts, opened when first read
  std::optional<ReedSolomon> m_rs;
  std::vector<std::uint8_t> m_buffer;  // one row: chunk + digest per part
  std::vector<bool> m_whole;           // per part: this row's chunk read and matching its digest
  std::vector<std::uint8_t> m_row_data;
  std::size_t m_row_at = 0;
  std::uint64_t m_decoded_rows = 0;
};

}  // namespace airlock
