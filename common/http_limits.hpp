#pragma once
// Every limit the registry client puts on what a registry (or its token
// service, or blob storage) sends, in one place. A registry is untrusted
// until its bytes match a digest, and some of what it sends is never
// checked against one (headers, tokens, error bodies), so each read from it
// is bounded here. Past a limit the client stops reading and fails with a
// RemoteError (exit 4) naming the registry, what it was reading and the
// limit; docs/OPERATIONS.md ("Limits and timeouts") lists them with their
// reasons.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace airlock {

// One response's status line and header block. Real registries and blob
// storage (S3, GCS, CDNs) send 1-4 KiB; cpp-httplib reads a header block
// whole (each line into a growable buffer, every line into a map) with no
// cap of its own but 8 KiB per line, checked after the line is read.
inline constexpr std::size_t k_max_response_header_bytes = 256 * 1024;
inline constexpr std::size_t k_max_response_headers = 256;

// A token service's JSON answer. Registries' JWTs are 1-4 KiB.
inline constexpr std::size_t k_max_token_response_bytes = 256 * 1024;

// A manifest or index: the distribution registry itself refuses manifests
// over 4 MiB, so no registry serves a larger one that anything can push.
inline constexpr std::size_t k_max_manifest_bytes = 4 * 1024 * 1024;

// The children of one index. Multi-platform images list 2-20 (40 with
// attestation manifests); each selected child is read whole.
inline constexpr std::size_t k_max_index_children = 1024;

// An image config (JSON, read whole). Real ones are 1-50 KiB.
inline constexpr std::size_t k_max_config_bytes = 4 * 1024 * 1024;

// All the manifests and configs of one image, which pack reads whole and
// keeps until they are written: 1024 children of 4 MiB each would be 4 GiB.
// Real images need 10-500 KiB.
inline constexpr std::size_t k_max_image_json_bytes = 32 * 1024 * 1024;

// The part of an error body kept for messages; reading stops there.
inline constexpr std::size_t k_max_error_body_bytes = 64 * 1024;

// A blob's declared size. The largest layer any public registry accepts
// is ECR's 52,000 MiB; a descriptor claiming more than 1 TiB is refused
// before a byte is fetched (a 2^62 claim would otherwise stream forever).
inline constexpr std::uint64_t k_max_blob_bytes = std::uint64_t{1} << 40;

// Redirects one GET follows (a registry sends one, to its storage).
inline constexpr int k_max_redirects = 5;

// A Retry-After above this is waited for this long.
inline constexpr std::chrono::seconds k_max_retry_after{30};

// A transfer that goes the stall timeout without k_stall_min_bytes moving
// (since the last time they had), in either direction (sending, waiting for
// the answer, reading it), has stalled: a per-read timeout alone never
// fires for a peer that sends one byte every few seconds.
inline constexpr std::chrono::seconds k_stall_timeout{60};
inline constexpr std::size_t k_stall_min_bytes = 1024;

}  // namespace airlock
