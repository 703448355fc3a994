#pragma once
// One entry of a kustomization's `images:` list, and how kustomize (v5.5,
// api/filters/imagetag) applies it to an image field. Checked against
// `kubectl kustomize`; tests/unit/formats/kustomize_image_test.cpp holds the
// cases.
//
// - Match: the field's value is NAME, optionally followed by ":TAG" (TAG of
//   [A-Za-z0-9_.{}-], possibly empty) and then optionally "@sha256:" and 64
//   hex digits. NAME is compared as written, with no docker.io
//   normalisation ("nginx" does not match "docker.io/library/nginx"), and
//   may itself hold ":TAG" to select one tag. kustomize builds a regular
//   expression from NAME unescaped, so a "." in NAME matches any character;
//   the same is done here, and a NAME with any other character that a
//   regular expression reads specially is refused when parsed. (v5.5 reads
//   the digest as "@sha256:" and any run of [A-Za-z0-9_.{}-], not 64 hex
//   digits; a later kustomize accepts other algorithms.)
// - Update: the value splits into name, tag and digest (the first "/"
//   ends a registry host, whose ":port" is not a tag). newName replaces the
//   name; newTag and digest together give NAME:TAG@DIGEST; newTag alone
//   drops a digest the value had; digest alone drops its tag.
// - Entries apply in list order, each to what the entries before it left.

#include <string>
#include <string_view>

namespace airlock {

struct KustomizeImage {
  std::string name;
  std::string new_name;
  std::string new_tag;
  std::string digest;
  std::string where;  // file:line of the entry
};

struct SplitImage {
  std::string name;
  std::string tag;     // without ':'
  std::string digest;  // without '@'
};

// As kustomize's image.Split. Never throws.
[[nodiscard]] SplitImage split_kustomize_image(std::string_view value);

// Whether the entry named `name` applies to an image field holding `value`.
// Never throws.
[[nodiscard]] bool kustomize_image_matches(std::string_view name, std::string_view value);

// The value after the entry: `value` itself when the entry does not apply.
// Never throws.
[[nodiscard]] std::string apply_kustomize_image(const KustomizeImage& entry, std::string_view value);

// Why kustomize would read `name` differently from a plain image name (a
// character a regular expression treats specially, other than "."), or an
// empty string.
[[nodiscard]] std::string kustomize_image_name_reason(std::string_view name);

}  // namespace airlock
