#pragma once
// A check of the raw header blocks libarchive read for one entry, so that
// what airlock verifies and what stock tar sees are the same names and
// bytes. libarchive reads the entry itself; this only refuses header forms
// on which tar implementations disagree or that airlock never writes:
//
//   - a pax global header ('g'): GNU tar applies its `path` to the entries
//     that follow, libarchive ignores it, so the auditor's tar would list
//     other names than airlock verified;
//   - GNU long-name and long-link headers ('L', 'K'), and any type but a
//     regular file ('0') after the extension headers;
//   - pax records other than path, size, mtime, atime, ctime, uid, gid,
//     uname, gname (GNU.sparse.* renames the entry for GNU tar; hdrcharset
//     changes how names are read; the others are not written by airlock).
//
// The airlock writer emits at most one pax 'x' header (with `path` or
// `size`) before each ustar header.

#include <cstdint>
#include <span>
#include <string>

namespace airlock {

// Why the header blocks of one entry are refused, or an empty string.
// `blocks` is every byte from the entry's first header block to its data.
[[nodiscard]] std::string tar_header_problem(std::span<const std::uint8_t> blocks);

}  // namespace airlock
