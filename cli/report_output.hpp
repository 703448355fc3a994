#pragma once
// How a command prints its report: one JSON document with --json (for
// scripts), else the text for a person. Reports are built by the library.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>

namespace airlock {

inline void add_json_flag(CLI::App& cmd, bool& json) { cmd.add_flag("--json", json, "Print one JSON document"); }

inline void print_report(bool json, const nlohmann::ordered_json& document, const std::string& text) {
  if (json) fmt::print("{}\n", document.dump(2));
  else fmt::print("{}", text);
}

}  // namespace airlock
