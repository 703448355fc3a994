#pragma once
// Reed–Solomon erasure coding over GF(2^8) with ISA-L (Debian's libisal):
// `data` shards and `parity` shards of equal length, any `data` of which
// recover the rest. The encoding matrix is ISA-L's Cauchy matrix (its top
// is the identity, so data shards are stored as they are, and every square
// submatrix is invertible, whatever shards are lost).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airlock {

inline constexpr int k_max_shards = 255;  // GF(2^8)

class ReedSolomon {
public:
  // Throws Error unless 1 <= data, 0 <= parity and data + parity <= 255.
  ReedSolomon(int data, int parity);

  [[nodiscard]] int data() const noexcept { return m_data; }
  [[nodiscard]] int parity() const noexcept { return m_parity; }

  // parity[i] = the i-th parity shard of `data` (each `len` bytes).
  void encode(std::size_t len, const std::vector<const std::uint8_t*>& data,
              const std::vector<std::uint8_t*>& parity) const;

  // `shards` holds data + parity pointers, each `len` bytes; `present[i]`
  // says which hold their shard. Writes every missing data shard in place.
  // Returns false (nothing written) when fewer than `data` are present.
  [[nodiscard]] bool recover(std::size_t len, const std::vector<std::uint8_t*>& shards,
                             const std::vector<bool>& present) const;

private:
  int m_data;
  int m_parity;
  std::vector<unsigned char> m_matrix;  // (data + parity) x data
  std::vector<unsigned char> m_tables;  // ISA-L's tables for the parity rows
};

}  // namespace airlock
