#pragma once
// airlock-testkit: test-only generator of OCI image layouts and of malformed
// bundles. Never installed; product code never links it.

#include <string>
#include <vector>

namespace airlock::testkit {

int make_layout(const std::vector<std::string>& args);
int mutate_bundle(const std::vector<std::string>& args);
int token_server(const std::vector<std::string>& args);
int registry_front(const std::vector<std::string>& args);
int hostile_registry(const std::vector<std::string>& args);
int raw_registry(const std::vector<std::string>& args);

}  // namespace airlock::testkit
