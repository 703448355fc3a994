#pragma once
// The distribution API's blob upload protocol: POST opens an upload and
// answers its Location; then either one streaming monolithic PUT of the
// whole body with ?digest= (so the registry checks the bytes too), or PATCH
// requests of at most `chunk` bytes (Content-Range from-to, inclusive; each
// answered 202 with the next Location) and an empty PUT with ?digest= that
// commits the blob. A cross-repository mount is a POST with ?mount=&from=;
// a mount from the repository itself asks whether it has the blob and opens
// the upload in one request.

#include "common/http_transport.hpp"
#include "common/registry_session.hpp"
#include "common/sha256.hpp"

#include <cstdint>
#include <string>

namespace airlock {

// Uploads `source` as blob `digest` of `repository`. Not retried once the
// body has started: the source cannot rewind (a re-run resumes, skipping
// what is there). RemoteError naming registry, repository and digest.
void upload_blob(RegistrySession& session, HttpTransport& transport, const std::string& repository,
                 const Digest& digest, UploadSource& source, std::uint64_t chunk);

// The same, opened by a mount of the blob from `repository` itself: a
// registry that has it there answers 201 and nothing is sent (false);
// otherwise the upload it opens instead goes on (true). One request fewer
// than a HEAD first when the blob is new; but a registry that cannot mount
// opens the upload all the same, and the blob is sent even if it is there.
[[nodiscard]] bool upload_blob_unless_present(RegistrySession& session, HttpTransport& transport,
                                              const std::string& repository, const Digest& digest, UploadSource& source,
                                              std::uint64_t chunk);

// Cross-repository mount. False when the registry would not mount; the
// upload it opened instead is cancelled. RemoteError otherwise.
[[nodiscard]] bool mount_blob(RegistrySession& session, HttpTransport& transport, const std::string& repository,
                              const Digest& digest, const std::string& from);

}  // namespace airlock
