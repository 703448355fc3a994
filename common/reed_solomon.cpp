#include "common/reed_solomon.hpp"

#include "common/error.hpp"

#include <isa-l/erasure_code.h>

#include <fmt/format.h>

namespace airlock {

ReedSolomon::ReedSolomon(int data, int parity) : m_data(data), m_parity(parity) {
  if (data < 1 || parity < 0 || data + parity > k_max_shards)
    throw Error(
        fmt::format("Reed-Solomon with {} data and {} parity shards: at most {} in all", data, parity, k_max_shards));
  const int total = data + parity;
  m_matrix.resize(static_cast<std::size_t>(total * data));
  gf_gen_cauchy1_matrix(m_matrix.data(), total, data);
  if (parity > 0) {
    m_tables.resize(static_cast<std::size_t>(data * parity * 32));
    ec_init_tables(data, parity, m_matrix.data() + data * data, m_tables.data());
  }
}

void ReedSolomon::encode(std::size_t len, const std::vector<const std::uint8_t*>& data,
                         const std::vector<std::uint8_t*>& parity) const {
  if (data.size() != static_cast<std::size_t>(m_data) || parity.size() != static_cast<std::size_t>(m_parity))
    throw Error("Reed-Solomon encode: wrong number of shards");
  if (m_parity == 0 || len == 0) return;
  // ISA-L does not write its sources; its signature just lacks the const.
  std::vector<unsigned char*> src;
  for (const auto* d : data) src.push_back(const_cast<unsigned char*>(d));
  std::vector<unsigned char*> dst(parity.begin(), parity.end());
  ec_encode_data(static_cast<int>(len), m_data, m_parity, const_cast<unsigned char*>(m_tables.data()), src.data(),
                 dst.data());
}

bool ReedSolomon::recover(std::size_t len, const std::vector<std::uint8_t*>& shards,
                          const std::vector<bool>& present) const {
  const auto total = static_cast<std::size_t>(m_data + m_parity);
  if (shards.size() != total || present.size() != total) throw Error("Reed-Solomon recover: wrong number of shards");
  std::vector<int> missing;
  for (int i = 0; i < m_data; ++i)
    if (!present[static_cast<std::size_t>(i)]) missing.push_back(i);
  if (missing.empty()) return true;
  // The first `data` shards present, and their rows of the matrix.
  std::vector<int> used;
  for (int i = 0; i < static_cast<int>(total) && static_cast<int>(used.size()) < m_data; ++i)
    if (present[static_cast<std::size_t>(i)]) used.push_back(i);
  if (static_cast<int>(used.size()) < m_data) return false;
  const auto k = static_cast<std::size_t>(m_data);
  std::vector<unsigned char> sub(k * k), inverse(k * k);
  for (std::size_t r = 0; r < k; ++r)
    for (std::size_t c = 0; c < k; ++c) sub[r * k + c] = m_matrix[static_cast<std::size_t>(used[r]) * k + c];
  if (gf_invert_matrix(sub.data(), inverse.data(), m_data) != 0)
    throw Error("Reed-Solomon recover: the matrix of the shards present is singular");
  // Each missing data shard is its row of the inverse applied to the shards used.
  std::vector<unsigned char> decode(missing.size() * k);
  for (std::size_t m = 0; m < missing.size(); ++m)
    for (std::size_t c = 0; c < k; ++c) decode[m * k + c] = inverse[static_cast<std::size_t>(missing[m]) * k + c];
  std::vector<unsigned char> tables(k * missing.size() * 32);
  ec_init_tables(m_data, static_cast<int>(missing.size()), decode.data(), tables.data());
  std::vector<unsigned char*> src, dst;
  for (const int u : used) src.push_back(shards[static_cast<std::size_t>(u)]);
  for (const int m : missing) dst.push_back(shards[static_cast<std::size_t>(m)]);
  ec_encode_data(static_cast<int>(len), m_data, static_cast<int>(missing.size()), tables.data(), src.data(),
                 dst.data());
  return true;
}

}  // namespace airlock
