#include "common/blob_upload.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace airlock {
namespace {

std::string push_scope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }

// A Location may be a path on the registry or an absolute URL elsewhere.
std::string absolute(const RegistrySession& session, const std::string& location) {
  return split_url(location).first.empty() ? session.origin() + location : location;
}

std::string with_digest(const std::string& location, const Digest& digest) {
  return fmt::format("{}{}digest={}", location, location.find('?') == std::string::npos ? '?' : '&', digest.str());
}

// The Location an upload continues at; RemoteError unless `r` is a 202
// that names one.
std::string next_location(const RegistrySession& session, const HttpResponse& r, const std::string& what,
                          const std::string& step) {
  const auto location = r.header("Location");
  if (r.status != 202 || location.empty())
    throw RemoteError(fmt::format("registry {}: {}: {} answered HTTP {}{}", session.host(), what, step, r.status,
                                  short_body(r.body)));
  const auto url = absolute(session, location);
  if (url.starts_with("http://") && !session.origin().starts_with("http://"))
    throw RemoteError(fmt::format("registry {}: {}: refusing to continue on plain HTTP {}", session.host(), what, url));
  return url;
}

void expect_created(const RegistrySession& session, const HttpResponse& r, const std::string& what) {
  if (r.status != 201)
    throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", session.host(), what, r.status, short_body(r.body)));
}

}  // namespace

namespace {

// The upload opened at `location`: one streaming PUT, or PATCH chunks then
// an empty PUT, each with ?digest= at the end.
void send_upload(RegistrySession& session, HttpTransport& transport, const std::string& scope, const std::string& what,
                 std::string location, const Digest& digest, UploadSource& source, std::uint64_t chunk) {
  if (chunk == 0) {
    const auto url = with_digest(location, digest);
    const HttpResponse r =
        session.send_once(scope, what, url, {}, [&](const HttpHeaders& h) { return transport.put(url, h, source); });
    return expect_created(session, r, what);
  }

  for (std::uint64_t offset = 0; offset < source.size;) {
    const std::uint64_t n = std::min(chunk, source.size - offset);
    UploadSource part{n, source.read};
    const HttpHeaders range{{"Content-Range", fmt::format("{}-{}", offset, offset + n - 1)}};
    const std::string step = fmt::format("chunk at byte {}", offset);
    const HttpResponse r = session.send_once(scope, fmt::format("{}: {}", what, step), location, range,
                                             [&](const HttpHeaders& h) { return transport.patch(location, h, part); });
    location = next_location(session, r, what, step);
    offset += n;
  }
  const auto url = with_digest(location, digest);
  const HttpResponse r = session.send(scope, what, url, {}, [&](const HttpHeaders& h) {
    return transport.put(url, h, std::string(), "application/octet-stream");
  });
  expect_created(session, r, what);
}

}  // namespace

void upload_blob(RegistrySession& session, HttpTransport& transport, const std::string& repository,
                 const Digest& digest, UploadSource& source, std::uint64_t chunk) {
  const std::string what = fmt::format("blob upload {}@{}", repository, digest.str());
  const std::string scope = push_scope(repository);
  const auto start = fmt::format("{}/v2/{}/blobs/uploads/", session.origin(), repository);
  const HttpResponse started =
      session.send(scope, what, start, {}, [&](const HttpHeaders& h) { return transport.post(start, h, {}, {}); });
  send_upload(session, transport, scope, what, next_location(session, started, what, "starting the upload"), digest,
              source, chunk);
}

namespace {

// POST .../blobs/uploads/?mount=DIGEST&from=FROM: 201 when the repository
// has the blob now, 202 with an upload opened when it does not.
HttpResponse post_mount(RegistrySession& session, HttpTransport& transport, const std::string& repository,
                        const Digest& digest, const std::string& from, const std::string& what) {
  const auto url =
      fmt::format("{}/v2/{}/blobs/uploads/?mount={}&from={}", session.origin(), repository, digest.str(), from);
  return session.send(push_scope(repository), what, url, {},
                      [&](const HttpHeaders& h) { return transport.post(url, h, {}, {}); });
}

}  // namespace

bool upload_blob_unless_present(RegistrySession& session, HttpTransport& transport, const std::string& repository,
                                const Digest& digest, UploadSource& source, std::uint64_t chunk) {
  const std::string what = fmt::format("blob upload {}@{}", repository, digest.str());
  const HttpResponse started = post_mount(session, transport, repository, digest, repository, what);
  if (started.status == 201) return false;
  send_upload(session, transport, push_scope(repository), what,
              next_location(session, started, what, "starting the upload"), digest, source, chunk);
  return true;
}

bool mount_blob(RegistrySession& session, HttpTransport& transport, const std::string& repository, const Digest& digest,
                const std::string& from) {
  const std::string what = fmt::format("blob mount {}@{} from {}", repository, digest.str(), from);
  const std::string scope = push_scope(repository);
  const HttpResponse r = post_mount(session, transport, repository, digest, from, what);
  if (r.status == 201) return true;
  if (r.status == 202) {
    // The registry opened an ordinary upload instead: cancel it (best effort).
    if (const auto location = r.header("Location"); !location.empty()) {
      const auto cancel = absolute(session, location);
      (void)transport.del(cancel, session.authorized(scope, cancel, {}));
    }
    return false;
  }
  throw RemoteError(fmt::format("registry {}: {}: HTTP {}{}", session.host(), what, r.status, short_body(r.body)));
}

}  // namespace airlock
