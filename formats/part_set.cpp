#include "formats/part_set.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "common/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>

namespace airlock {
namespace {

constexpr std::uint64_t k_row_bytes = k_part_chunk_size + k_part_digest_size;

// The header block of `path`: empty when it is shorter than the magic.
std::string read_head(const std::filesystem::path& path, std::uint64_t& size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw UsageError(fmt::format("cannot open {}: {}", printable(path.string()), errno_text(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  size = static_cast<std::uint64_t>(st.st_size);
  std::string block(k_part_header_size, '\0');
  std::size_t got = 0;
  while (got < block.size()) {
    const ssize_t n = ::read(fd.get(), block.data() + got, block.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  block.resize(got);
  return block;
}

bool same_shape(const PartHeader& a, const PartHeader& b) {
  return a.bundle_digest == b.bundle_digest && a.bundle_size == b.bundle_size && a.groups == b.groups &&
         a.data_parts == b.data_parts && a.parity_parts == b.parity_parts && a.release == b.release &&
         a.version == b.version && a.sequence == b.sequence;
}

bool same_group(const PartHeader& a, const PartHeader& b) {
  return a.rows == b.rows && a.group_offset == b.group_offset && a.group_size == b.group_size;
}

std::string list(const std::vector<int>& v, int data_parts) {
  std::string out;
  for (const int i : v) out += (out.empty() ? "" : ", ") + part_label(i, data_parts);
  return out;
}

}  // namespace

std::string part_label(int part, int data_parts) {
  return fmt::format("{}{:02}", part < data_parts ? 'd' : 'p', part < data_parts ? part : part - data_parts);
}

PartSet one_part_set(const std::vector<std::filesystem::path>& inputs, std::string_view what) {
  const std::string given = printable(inputs.front().string()) + (inputs.size() > 1 ? " ..." : "");
  PartScan scan = scan_parts(inputs);
  if (scan.sets.empty()) {
    std::string why;
    for (const auto& [path, text] : scan.damaged) why += "; " + text;
    std::error_code ec;
    if (inputs.size() == 1 && std::filesystem::is_directory(inputs.front(), ec))
      throw UsageError(fmt::format("{} {} is a directory with no bundle parts in it{}", what, given, why));
    throw UsageError(fmt::format("{}: no bundle parts there{}", given, why));
  }
  if (scan.sets.size() > 1) {
    std::string sets;
    for (const auto& set : scan.sets) sets += "; " + set.name();
    throw UsageError(fmt::format("{}: parts of {} sets{}: give the part files of one", given, scan.sets.size(), sets));
  }
  scan.sets.front().require_decodable(given);
  return std::move(scan.sets.front());
}

bool is_part_file(const std::filesystem::path& path) {
  // A file that cannot be opened is not a part: opening it as a bundle says why.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  std::string head(k_part_magic.size(), '\0');
  return ::pread(fd.get(), head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()) && head == k_part_magic;
}

PartScan scan_parts(const std::vector<std::filesystem::path>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(in, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(in, ec))
        if (!e.path().filename().string().starts_with(".") && e.is_regular_file(ec)) files.push_back(e.path());
      if (ec) throw UsageError(fmt::format("cannot list {}: {}", printable(in.string()), ec.message()));
    } else {
      files.push_back(in);
    }
  }
  std::sort(files.begin(), files.end());
  PartScan scan;
  std::map<std::string, PartSet> sets;  // by set id
  for (const auto& path : files) {
    std::uint64_t size = 0;
    const std::string head = read_head(path, size);
    std::optional<PartHeader> h;
    try {
      h = PartHeader::decode(head, printable(path.string()));
    } catch (const VerificationError& e) {
      scan.damaged.emplace_back(path, e.what());
      continue;
    }
    if (!h) continue;  // not a part
    auto [it, fresh] = sets.try_emplace(h->set);
    PartSet& set = it->second;
    if (fresh) {
      set.first = *h;
      set.parts.assign(h->groups,
                       std::vector<std::optional<PartFile>>(static_cast<std::size_t>(h->data_parts + h->parity_parts)));
    }
    if (!same_shape(set.first, *h)) {
      set.rejected.emplace_back(path, "its header disagrees with the set's other parts");
      continue;
    }
    auto& slot = set.parts[h->group][static_cast<std::size_t>(h->part)];
    const auto whole_rows = size >= k_part_header_size ? (size - k_part_header_size) / k_row_bytes : 0;
    if (slot) {
      // Two copies (a resend in another directory): the one with more whole rows.
      const bool better = std::min(whole_rows, h->rows) > slot->whole_rows && same_group(slot->header, *h);
      set.rejected.emplace_back(better ? slot->path : path, fmt::format("a second copy of part {} of group {}",
                                                                        part_label(h->part, h->data_parts), h->group));
      if (better) slot->whole_rows = std::min(whole_rows, h->rows), slot->path = path;
      continue;
    }
    for (const auto& other : set.parts[h->group])
      if (other && !same_group(other->header, *h)) {
        set.rejected.emplace_back(path, "its header disagrees with its group's other parts");
        h.reset();
        break;
      }
    if (!h) continue;
    PartFile f{path, *h, whole_rows};
    f.whole_rows = std::min(f.whole_rows, h->rows);
    slot = std::move(f);
  }
  for (auto& [id, set] : sets) scan.sets.push_back(std::move(set));
  std::sort(scan.sets.begin(), scan.sets.end(), [](const PartSet& a, const PartSet& b) {
    return std::tie(a.first.release, a.first.sequence, a.first.set) <
           std::tie(b.first.release, b.first.sequence, b.first.set);
  });
  return scan;
}

std::vector<PartGroupStatus> PartSet::status() const {
  std::vector<PartGroupStatus> out;
  const int total = first.data_parts + first.parity_parts;
  for (std::uint64_t g = 0; g < parts.size(); ++g) {
    PartGroupStatus s;
    s.group = g;
    s.data_parts = first.data_parts;
    s.parity_parts = first.parity_parts;
    std::uint64_t rows = 0;
    for (const auto& p : parts[g])
      if (p) rows = p->header.rows;
    std::vector<std::uint64_t> whole;  // per part, rows readable
    for (int i = 0; i < total; ++i) {
      const auto& p = parts[g][static_cast<std::size_t>(i)];
      if (!p) {
        s.missing.push_back(i);
        whole.push_back(0);
      } else if (p->whole_rows < p->header.rows) {
        s.damaged.emplace_back(i, fmt::format("{} cut short at chunk {} of {}", printable(p->path.filename().string()),
                                              p->whole_rows, p->header.rows));
        whole.push_back(p->whole_rows);
      } else {
        s.present.push_back(i);
        whole.push_back(p->header.rows);
      }
    }
    // Every row needs data_parts chunks; the rows a cut part still holds count.
    s.decodable = rows > 0;
    for (std::uint64_t r = 0; r < rows && s.decodable; ++r)
      s.decodable =
          std::count_if(whole.begin(), whole.end(), [&](std::uint64_t w) { return w > r; }) >= first.data_parts;
    out.push_back(std::move(s));
  }
  return out;
}

bool PartSet::decodable() const {
  const auto all = status();
  return std::all_of(all.begin(), all.end(), [](const PartGroupStatus& s) { return s.decodable; });
}

std::string PartSet::name() const {
  return fmt::format("parts of {} {} (sequence {}, bundle {}, set {})", first.release, first.version, first.sequence,
                     first.bundle_digest.str(), first.set);
}

void PartSet::require_decodable(const std::string& where) const {
  std::string why;
  for (const auto& s : status()) {
    if (s.decodable) continue;
    std::string damaged;
    for (const auto& [i, what] : s.damaged) damaged += fmt::format("{}{}", damaged.empty() ? "" : ", ", what);
    why += fmt::format("; group {}: {} of {} parts whole, {} needed (missing: {}{}{})", s.group, s.present.size(),
                       s.data_parts + s.parity_parts, s.data_parts,
                       s.missing.empty() ? "none" : list(s.missing, s.data_parts),
                       damaged.empty() ? "" : "; damaged: ", damaged);
  }
  if (!why.empty()) throw VerificationError(fmt::format("{}: {} do not decode{}", where, name(), why));
}

PartSetInput::PartSetInput(PartSet set) : m_set(std::move(set)) {
  const auto total = static_cast<std::size_t>(m_set.first.data_parts + m_set.first.parity_parts);
  m_rs.emplace(m_set.first.data_parts, m_set.first.parity_parts);
  m_buffer.resize(total * k_row_bytes);
  m_whole.resize(total);
}

bool PartSetInput::read_chunk(std::size_t part, std::uint64_t row) {
  const auto& p = m_set.parts[m_group][part];
  if (!p || row >= p->whole_rows) return false;
  if (!m_fds[part].valid()) {
    m_fds[part] = Fd(::open(p->path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!m_fds[part].valid()) return false;  // gone since the scan: an erasure like any other
  }
  auto* at = m_buffer.data() + part * k_row_bytes;
  std::size_t got = 0;
  const auto offset = static_cast<off_t>(k_part_header_size + row * k_row_bytes);
  while (got < k_row_bytes) {
    const ssize_t n = ::pread(m_fds[part].get(), at + got, k_row_bytes - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  const auto digest = Sha256::of(std::string_view(reinterpret_cast<const char*>(at), k_part_chunk_size));
  return std::memcmp(digest.bytes().data(), at + k_part_chunk_size, k_part_digest_size) == 0;
}

void PartSetInput::next_row() {
  const auto& first = m_set.first;
  const auto total = static_cast<std::size_t>(first.data_parts + first.parity_parts);
  const auto data = static_cast<std::size_t>(first.data_parts);
  // The group's shape, from any of its parts.
  const PartHeader* group = nullptr;
  for (const auto& p : m_set.parts[m_group])
    if (p) group = &p->header;
  if (!group) throw VerificationError(fmt::format("{}: group {} has no part", m_set.name(), m_group));
  if (m_row == 0) {
    if (group->group_offset != m_position)
      throw VerificationError(fmt::format("{}: group {} starts at byte {}, the groups before it end at {}",
                                          m_set.name(), m_group, group->group_offset, m_position));
    m_fds.clear();
    m_fds.resize(total);
  }
  std::size_t whole = 0;
  for (std::size_t i = 0; i < data; ++i) whole += (m_whole[i] = read_chunk(i, m_row)) ? 1 : 0;
  if (whole < data) {
    // Parity only where a data chunk is missing or damaged.
    for (std::size_t i = data; i < total; ++i) whole += (m_whole[i] = read_chunk(i, m_row)) ? 1 : 0;
    std::vector<std::uint8_t*> shards;
    for (std::size_t i = 0; i < total; ++i) shards.push_back(m_buffer.data() + i * k_row_bytes);
    if (whole < data || !m_rs->recover(k_part_chunk_size, shards, m_whole)) {
      std::vector<int> lost;
      for (std::size_t i = 0; i < total; ++i)
        if (!m_whole[i]) lost.push_back(static_cast<int>(i));
      throw VerificationError(fmt::format("{}: group {}, chunk {}: {} of {} parts readable, {} needed (not readable: "
                                          "{})",
                                          m_set.name(), m_group, m_row, whole, total, data,
                                          list(lost, first.data_parts)));
    }
    ++m_decoded_rows;
  }
  const std::uint64_t stripe = data * k_part_chunk_size;
  const std::uint64_t left = group->group_size - m_row * stripe;
  const auto take = static_cast<std::size_t>(std::min(stripe, left));
  m_row_data.resize(take);
  for (std::size_t i = 0, at = 0; at < take; ++i, at += k_part_chunk_size)
    std::memcpy(m_row_data.data() + at, m_buffer.data() + i * k_row_bytes,
                std::min<std::size_t>(k_part_chunk_size, take - at));
  m_row_at = 0;
  if (++m_row == group->rows) {
    m_row = 0;
    ++m_group;
  }
}

std::size_t PartSetInput::read(std::span<std::uint8_t> buffer) {
  if (m_row_at == m_row_data.size()) {
    if (m_group == m_set.parts.size()) {
      if (m_position != m_set.first.bundle_size)
        throw VerificationError(fmt::format("{}: the groups hold {} bytes, the headers say {}", m_set.name(),
                                            m_position, m_set.first.bundle_size));
      return 0;
    }
    next_row();
  }
  const auto n = std::min(buffer.size(), m_row_data.size() - m_row_at);
  std::memcpy(buffer.data(), m_row_data.data() + m_row_at, n);
  m_row_at += n;
  m_position += n;
  return n;
}

}  // namespace airlock
