#include "importer/release_state.hpp"

#include "common/error.hpp"
#include "common/timestamp.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace airlock {

SiteState SiteState::parse(std::string_view json, std::string_view where) {
  SiteState state;
  try {
    const auto j = nlohmann::json::parse(json);
    if (j.at("formatVersion").get<int>() != 1)
      throw VerificationError(
          fmt::format("{}: state format version {} is not supported", where, j.at("formatVersion").dump()));
    for (const auto& [name, r] : j.at("releases").items()) {
      ReleaseRecord rec;
      rec.sequence = r.at("sequence").get<std::uint64_t>();
      rec.version = r.at("version").get<std::string>();
      const auto digest = Digest::parse(r.at("bundleDigest").get<std::string>());
      const auto created = parse_utc(r.at("created").get<std::string>());
      const auto imported = parse_utc(r.at("imported").get<std::string>());
      if (!digest || !created || !imported)
        throw VerificationError(fmt::format("{}: release {}: malformed digest or time", where, name));
      rec.bundle_digest = *digest;
      rec.created = *created;
      rec.imported = *imported;
      rec.registry = r.value("registry", "");
      rec.prefix = r.value("prefix", "");
      rec.path = r.value("path", name);
      state.releases.emplace(name, std::move(rec));
    }
  } catch (const nlohmann::json::exception& e) {
    throw VerificationError(fmt::format("{}: unreadable state: {}", where, e.what()));
  }
  return state;
}

std::string SiteState::to_json() const {
  nlohmann::ordered_json j;
  j["formatVersion"] = 1;
  j["releases"] = nlohmann::ordered_json::object();
  for (const auto& [name, r] : releases)
    j["releases"][name] = {{"sequence", r.sequence},
                           {"version", r.version},
                           {"bundleDigest", r.bundle_digest.str()},
                           {"created", format_utc(r.created)},
                           {"imported", format_utc(r.imported)},
                           {"registry", r.registry},
                           {"prefix", r.prefix},
                           {"path", r.path}};
  return j.dump(2) + "\n";
}

ImportDecision decide_import(const SiteState& state, const BundleIndex& index, const Digest& bundle_digest,
                             std::int64_t now, std::string_view where) {
  const auto it = state.releases.find(index.name);
  const ReleaseRecord* last = it == state.releases.end() ? nullptr : &it->second;
  if (last && index.sequence == last->sequence && bundle_digest == last->bundle_digest) return ImportDecision::replay;
  if (last && index.sequence < last->sequence)
    throw VerificationError(fmt::format("{}: rollback refused: {} sequence {} (bundle {}) is older than sequence {} "
                                        "(bundle {}, version {}) imported at {}",
                                        where, index.name, index.sequence, bundle_digest.str(), last->sequence,
                                        last->bundle_digest.str(), last->version, format_utc(last->imported)));
  if (last && index.sequence == last->sequence)
    throw VerificationError(fmt::format("{}: {} sequence {} was already imported as bundle {}; this bundle {} "
                                        "claims the same sequence: refused",
                                        where, index.name, index.sequence, last->bundle_digest.str(),
                                        bundle_digest.str()));
  // A clock set back cannot revive an expired bundle: time is at least the
  // creation of the last bundle imported here.
  const std::int64_t floor = last ? std::max(now, last->created) : now;
  if (index.expires && *index.expires <= floor)
    throw VerificationError(fmt::format("{}: the bundle expired at {} (the clock says {}, and the last imported "
                                        "bundle of {} was created {})",
                                        where, format_utc(*index.expires), format_utc(now), index.name,
                                        last ? format_utc(last->created) : std::string("never")));
  return ImportDecision::fresh;
}

}  // namespace airlock
