#include "formats/part_header.hpp"

#include "common/error.hpp"
#include "formats/names.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace airlock {
namespace {

template <typename T>
T get(const nlohmann::json& j, const char* key, std::string_view where) {
  if (!j.contains(key)) throw VerificationError(fmt::format("{}: part header has no \"{}\"", where, key));
  if constexpr (std::is_integral_v<T>)
    if (!j.at(key).is_number_unsigned())
      throw VerificationError(fmt::format("{}: part header \"{}\" is not a non-negative integer", where, key));
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw VerificationError(fmt::format("{}: part header \"{}\" has the wrong type", where, key));
  }
}

Digest digest(const std::string& text, const char* key, std::string_view where) {
  const auto d = Digest::parse(text);
  if (!d) throw VerificationError(fmt::format("{}: part header \"{}\" is not a sha256 digest", where, key));
  return *d;
}

}  // namespace

std::string PartHeader::encode() const {
  nlohmann::json j;
  j["bundleDigest"] = bundle_digest.str();
  j["set"] = set;
  j["bundleSize"] = bundle_size;
  j["release"] = {{"name", release}, {"version", version}, {"sequence", sequence}};
  j["groups"] = groups;
  j["group"] = group;
  j["dataParts"] = data_parts;
  j["parityParts"] = parity_parts;
  j["part"] = part;
  j["chunkSize"] = chunk_size;
  j["rows"] = rows;
  j["groupOffset"] = group_offset;
  j["groupSize"] = group_size;
  const std::string line = j.dump();
  std::string out = fmt::format("{}{}\nsha256 {}\n", k_part_magic, line, Sha256::of(line).hex());
  if (out.size() > k_part_header_size) throw Error("a part header does not fit its 4096 bytes");
  out.resize(k_part_header_size, '\n');
  return out;
}

std::optional<PartHeader> PartHeader::decode(std::string_view block, std::string_view where) {
  if (!block.starts_with(k_part_magic)) return std::nullopt;
  if (block.size() < k_part_header_size)
    throw VerificationError(
        fmt::format("{}: the part header is cut short ({} of {} bytes)", where, block.size(), k_part_header_size));
  block = block.substr(0, k_part_header_size);
  const auto rest = block.substr(k_part_magic.size());
  const auto eol = rest.find('\n');
  if (eol == std::string_view::npos) throw VerificationError(fmt::format("{}: the part header has no end", where));
  const auto line = rest.substr(0, eol);
  const auto sum_line = rest.substr(eol + 1, 7 + 64 + 1);
  if (sum_line != fmt::format("sha256 {}\n", Sha256::of(line).hex()))
    throw VerificationError(fmt::format("{}: the part header does not match its sha256 (damaged)", where));
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) throw VerificationError(fmt::format("{}: the part header is not a JSON object", where));
  PartHeader h;
  h.bundle_digest = digest(get<std::string>(j, "bundleDigest", where), "bundleDigest", where);
  h.set = get<std::string>(j, "set", where);
  if (h.set.size() != 32 || h.set.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw VerificationError(fmt::format("{}: the part header's set is not 32 hex digits", where));
  h.bundle_size = get<std::uint64_t>(j, "bundleSize", where);
  const auto release = get<nlohmann::json>(j, "release", where);
  h.release = get<std::string>(release, "name", where);
  h.version = get<std::string>(release, "version", where);
  h.sequence = get<std::uint64_t>(release, "sequence", where);
  h.groups = get<std::uint64_t>(j, "groups", where);
  h.group = get<std::uint64_t>(j, "group", where);
  const auto data = get<std::uint64_t>(j, "dataParts", where);
  const auto parity = get<std::uint64_t>(j, "parityParts", where);
  const auto part = get<std::uint64_t>(j, "part", where);
  h.chunk_size = get<std::uint64_t>(j, "chunkSize", where);
  h.rows = get<std::uint64_t>(j, "rows", where);
  h.group_offset = get<std::uint64_t>(j, "groupOffset", where);
  h.group_size = get<std::uint64_t>(j, "groupSize", where);
  // Names go into file names and messages; sizes into arithmetic.
  if (!is_valid_release_name(h.release) || !is_valid_release_version(h.version))
    throw VerificationError(fmt::format("{}: the part header's release name or version is malformed", where));
  if (data < 1 || data + parity > k_max_parts_per_group || part >= data + parity)
    throw VerificationError(fmt::format("{}: the part header's shape ({} data, {} parity, part {}) is not one of at "
                                        "most {} parts",
                                        where, data, parity, part, k_max_parts_per_group));
  h.data_parts = static_cast<int>(data);
  h.parity_parts = static_cast<int>(parity);
  h.part = static_cast<int>(part);
  if (h.chunk_size != k_part_chunk_size)
    throw VerificationError(
        fmt::format("{}: part chunk size {} (this airlock reads {})", where, h.chunk_size, k_part_chunk_size));
  if (h.groups < 1 || h.groups > k_max_part_groups || h.group >= h.groups)
    throw VerificationError(fmt::format("{}: part group {} of {}", where, h.group, h.groups));
  // The group's bytes fill its rows, and lie in the bundle.
  const std::uint64_t stripe = h.chunk_size * static_cast<std::uint64_t>(h.data_parts);
  if (h.rows == 0 || h.rows > (std::uint64_t{1} << 40) / h.chunk_size || h.group_size == 0 ||
      h.group_size > h.rows * stripe || h.group_size <= (h.rows - 1) * stripe || h.group_offset > h.bundle_size ||
      h.group_size > h.bundle_size - h.group_offset)
    throw VerificationError(fmt::format("{}: the part header's sizes do not add up (group {} at {} of {} bytes, {} "
                                        "rows)",
                                        where, h.group_size, h.group_offset, h.bundle_size, h.rows));
  return h;
}

std::string PartHeader::file_name() const {
  // Widths for the largest numbers decode() takes: names sort in order.
  return fmt::format("{}-{}-s{}.{}.g{:05}.{}{:03}.part", release, version, sequence, bundle_digest.hex().substr(0, 12),
                     group, is_parity() ? 'p' : 'd', is_parity() ? part - data_parts : part);
}

}  // namespace airlock
