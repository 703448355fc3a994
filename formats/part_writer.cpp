#include "formats/part_writer.hpp"

#include "common/error.hpp"
#include "common/parallel_for.hpp"
#include "common/sha256.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace airlock {
namespace {

std::string random_set_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw Error("cannot draw a random part set id");
  std::string out;
  for (const auto b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

void write_all(int fd, const std::vector<iovec>& parts, const std::filesystem::path& path) {
  std::vector<iovec> iov = parts;
  std::size_t at = 0;
  while (at < iov.size()) {
    const ssize_t n = ::writev(fd, iov.data() + at, static_cast<int>(iov.size() - at));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
    }
    auto left = static_cast<std::size_t>(n);
    while (at < iov.size() && left >= iov[at].iov_len) left -= iov[at++].iov_len;
    if (at < iov.size()) {
      iov[at].iov_base = static_cast<char*>(iov[at].iov_base) + left;
      iov[at].iov_len -= left;
    }
  }
}

}  // namespace

std::uint64_t part_rows(const PartLayout& layout) {
  if (layout.data_parts < 1 || layout.parity_parts < 0 ||
      layout.data_parts + layout.parity_parts > k_max_parts_per_group)
    throw UsageError(fmt::format("{} data and {} parity parts per group: at most {} in all", layout.data_parts,
                                 layout.parity_parts, k_max_parts_per_group));
  const std::uint64_t smallest = k_part_header_size + k_part_chunk_size + k_part_digest_size;
  if (layout.part_size < smallest)
    throw UsageError(fmt::format("--part-size {} is less than the smallest part, {} bytes (a header and one chunk)",
                                 layout.part_size, smallest));
  return (layout.part_size - k_part_header_size) / (k_part_chunk_size + k_part_digest_size);
}

PartWriter::PartWriter(std::filesystem::path dir, PartLayout layout, PartIdentity identity)
    : m_dir(std::move(dir)),
      m_layout(layout),
      m_identity(std::move(identity)),
      m_set(random_set_id()),
      m_rows_max(part_rows(layout)),
      m_rs(layout.data_parts, layout.parity_parts) {
  for (auto& s : m_stripes)
    s.resize(static_cast<std::size_t>(layout.data_parts + layout.parity_parts) * k_part_chunk_size);
  m_writer = std::thread([this] { writer_loop(); });
}

PartWriter::~PartWriter() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  m_writer.join();
  if (m_finished) return;
  std::error_code ec;
  for (const auto* list : {&m_open, &m_closed})
    for (const auto& p : *list) std::filesystem::remove(p.temp, ec);
}

void PartWriter::open_group() {
  const auto group = m_headers.empty() ? 0 : m_headers.back().group + 1;
  for (int i = 0; i < m_layout.data_parts + m_layout.parity_parts; ++i) {
    PartHeader h;
    h.bundle_digest = m_identity.bundle_digest;
    h.set = m_set;
    h.release = m_identity.release;
    h.version = m_identity.version;
    h.sequence = m_identity.sequence;
    h.group = group;
    h.data_parts = m_layout.data_parts;
    h.parity_parts = m_layout.parity_parts;
    h.part = i;
    h.group_offset = m_total;
    OpenPart p;
    p.final_path = m_dir / h.file_name();
    p.temp = m_dir / ("." + h.file_name() + ".tmp");
    p.fd = Fd(::open(p.temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!p.fd.valid()) throw Error(fmt::format("cannot create {}: {}", p.temp.string(), errno_text(errno)));
    // The header's place; written by finish(), once the sizes are known.
    if (::lseek(p.fd.get(), static_cast<off_t>(k_part_header_size), SEEK_SET) < 0)
      throw Error(fmt::format("cannot seek in {}: {}", p.temp.string(), errno_text(errno)));
    m_open.push_back(std::move(p));
    m_headers.push_back(std::move(h));
  }
  m_group_offset = m_total;
  m_group_rows = 0;
}

void PartWriter::writer_loop() {
  for (;;) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_stop || m_job; });
    if (!m_job) return;  // stopped, nothing left
    lock.unlock();
    std::exception_ptr error;
    try {
      write_job(*m_job);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !m_error) m_error = error;
    m_job.reset();
    m_cv.notify_all();
  }
}

void PartWriter::write_job(const WriteJob& job) {
  for (std::size_t i = 0; i < job.fds.size(); ++i) {
    auto* chunk = const_cast<std::uint8_t*>(job.stripe) + i * k_part_chunk_size;
    write_all(job.fds[i], {{chunk, k_part_chunk_size}, {const_cast<std::uint8_t*>(job.digests[i].data()), 32}},
              job.names[i]);
    // Writeback starts now, so that finish()'s fsync has little left to wait for.
    (void)::sync_file_range(job.fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
  }
}

void PartWriter::drain() {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return !m_job; });
  if (m_error) std::rethrow_exception(m_error);
}

void PartWriter::submit(WriteJob job) {
  drain();
  {
    std::lock_guard lock(m_mutex);
    m_job = std::move(job);
  }
  m_cv.notify_all();
}

std::span<std::uint8_t> PartWriter::space() {
  if (m_open.empty()) open_group();
  const std::size_t stripe_data = static_cast<std::size_t>(m_layout.data_parts) * k_part_chunk_size;
  return std::span(m_stripes[m_current].data() + m_filled, stripe_data - m_filled);
}

void PartWriter::wrote(std::size_t n) {
  const std::size_t stripe_data = static_cast<std::size_t>(m_layout.data_parts) * k_part_chunk_size;
  if (n > stripe_data - m_filled) throw Error("PartWriter::wrote: more than space() gave");
  m_filled += n;
  m_total += n;
  if (m_filled == stripe_data) flush_stripe();
}

void PartWriter::write(std::span<const std::uint8_t> data) {
  const std::size_t stripe_data = static_cast<std::size_t>(m_layout.data_parts) * k_part_chunk_size;
  while (!data.empty()) {
    if (m_open.empty()) open_group();
    const auto n = std::min(data.size(), stripe_data - m_filled);
    std::copy_n(data.data(), n, m_stripes[m_current].data() + m_filled);
    m_filled += n;
    m_total += n;
    data = data.subspan(n);
    if (m_filled == stripe_data) flush_stripe();
  }
}

void PartWriter::flush_stripe() {
  auto& stripe = m_stripes[m_current];
  const std::size_t stripe_data = static_cast<std::size_t>(m_layout.data_parts) * k_part_chunk_size;
  std::fill(stripe.begin() + static_cast<std::ptrdiff_t>(m_filled),
            stripe.begin() + static_cast<std::ptrdiff_t>(stripe_data), 0);
  std::vector<const std::uint8_t*> data;
  std::vector<std::uint8_t*> parity;
  for (int i = 0; i < m_layout.data_parts + m_layout.parity_parts; ++i) {
    auto* chunk = stripe.data() + static_cast<std::size_t>(i) * k_part_chunk_size;
    if (i < m_layout.data_parts)
      data.push_back(chunk);
    else
      parity.push_back(chunk);
  }
  m_rs.encode(k_part_chunk_size, data, parity);
  // The chunks' sha256 is most of the CPU a split costs: on two cores,
  // while the writer thread writes the stripe before.
  WriteJob job;
  job.stripe = stripe.data();
  job.digests.resize(m_open.size());
  parallel_for(m_open.size(), 2, [&](std::size_t i) {
    const auto* chunk = stripe.data() + i * k_part_chunk_size;
    job.digests[i] = Sha256::of(std::string_view(reinterpret_cast<const char*>(chunk), k_part_chunk_size)).bytes();
  });
  for (const auto& p : m_open) {
    job.fds.push_back(p.fd.get());
    job.names.push_back(p.temp);
  }
  submit(std::move(job));
  m_current ^= 1;
  m_filled = 0;
  if (++m_group_rows == m_rows_max) close_group();
}

void PartWriter::close_group() {
  drain();  // the writer is done with this group's files
  for (std::size_t i = m_headers.size() - m_open.size(); i < m_headers.size(); ++i) {
    m_headers[i].rows = m_group_rows;
    m_headers[i].group_size = m_total - m_group_offset;
  }
  // Closed now (a large bundle in small parts is many files); finish()
  // opens each again to write its header.
  for (auto& p : m_open) {
    p.fd.reset();
    m_closed.push_back(std::move(p));
  }
  m_open.clear();
}

std::vector<std::filesystem::path> PartWriter::finish() {
  if (m_filled > 0) flush_stripe();
  if (!m_open.empty()) close_group();
  drain();
  if (m_headers.empty()) throw Error("no bytes to write as parts");
  const auto groups = m_headers.back().group + 1;
  std::vector<std::filesystem::path> out;
  for (std::size_t i = 0; i < m_closed.size(); ++i) {
    auto& h = m_headers[i];
    h.groups = groups;
    h.bundle_size = m_total;
    const auto block = h.encode();
    auto& p = m_closed[i];
    p.fd = Fd(::open(p.temp.c_str(), O_WRONLY | O_CLOEXEC));
    if (!p.fd.valid() || ::pwrite(p.fd.get(), block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()) ||
        ::fsync(p.fd.get()) != 0)
      throw Error(fmt::format("cannot write {}: {}", p.temp.string(), errno_text(errno)));
    p.fd.reset();
  }
  for (auto& p : m_closed) {
    std::error_code ec;
    std::filesystem::rename(p.temp, p.final_path, ec);
    if (ec)
      throw Error(fmt::format("cannot rename {} to {}: {}", p.temp.string(), p.final_path.string(), ec.message()));
    out.push_back(p.final_path);
  }
  m_finished = true;
  const Fd dir(::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) (void)::fsync(dir.get());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace airlock
