#pragma once
// RAII owners for libarchive handles. No other file frees them.

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace airlock {

struct ArchiveReadDeleter {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
  void operator()(archive* a) const noexcept { archive_write_free(a); }
};
struct ArchiveEntryDeleter {
  void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};

using ArchiveReadPtr = std::unique_ptr<archive, ArchiveReadDeleter>;
using ArchiveWritePtr = std::unique_ptr<archive, ArchiveWriteDeleter>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryDeleter>;

}  // namespace airlock
