#pragma once
// Where a bundle's bytes come from and go to: a file, or a set of parts
// with parity (formats/part_set_reader.hpp, formats/part_writer.hpp). The
// zstd reader and the tar.zst writer see only these.

#include "common/error.hpp"
#include "common/fd.hpp"

#include <unistd.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace airlock {

class ByteInput {
public:
  virtual ~ByteInput() = default;
  // Up to buffer.size() bytes; 0 at the end. Throws VerificationError for
  // bytes that cannot be had whole (a part set that does not decode), Error
  // for I/O failures.
  [[nodiscard]] virtual std::size_t read(std::span<std::uint8_t> buffer) = 0;
};

class ByteOutput {
public:
  virtual ~ByteOutput() = default;
  // All of `data`, or throws Error naming the output.
  virtual void write(std::span<const std::uint8_t> data) = 0;
};

class FdInput final : public ByteInput {
public:
  FdInput(Fd fd, std::string name) : m_fd(std::move(fd)), m_name(std::move(name)) {}
  std::size_t read(std::span<std::uint8_t> buffer) override {
    for (;;) {
      const ssize_t n = ::read(m_fd.get(), buffer.data(), buffer.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) throw Error(fmt::format("{}: read failed: {}", m_name, errno_text(errno)));
    }
  }

private:
  Fd m_fd;
  std::string m_name;
};

}  // namespace airlock
