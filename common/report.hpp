#pragma once
// What a command prints, built by the library: one JSON document for
// scripts (--json) and the same facts as text for a person.

#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

struct Report {
  nlohmann::ordered_json json;
  std::string text;
};

}  // namespace airlock
