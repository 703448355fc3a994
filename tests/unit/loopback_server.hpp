#pragma once
// A cpp-httplib server on a loopback port for the registry client's unit
// tests: plain HTTP (the tests name its host insecure), started on
// construction, stopped and joined on destruction. Handlers run on the
// server's threads: what they record is guarded by `mutex`.

#include "common/registry_client.hpp"

#include <httplib.h>

#include <csignal>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace airlock::test {

class LoopbackServer {
public:
  LoopbackServer() {
    // A client writing to a connection the server closed must see EPIPE,
    // not die of SIGPIPE (the programs ignore it at start-up too).
    std::signal(SIGPIPE, SIG_IGN);
    m_port = server.bind_to_any_port("127.0.0.1");
    if (m_port <= 0) throw std::runtime_error("cannot bind a loopback port");
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  ~LoopbackServer() { stop(); }

  // Call after registering the handlers.
  void start() {
    m_thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void stop() {
    if (!m_thread.joinable()) return;
    server.stop();
    m_thread.join();
  }

  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
  [[nodiscard]] std::string origin() const { return "http://" + host(); }

  void log(std::string line) {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(line));
  }
  [[nodiscard]] std::vector<std::string> logged() {
    std::lock_guard lock(mutex);
    return requests;
  }

  httplib::Server server;
  std::mutex mutex;
  std::vector<std::string> requests;

private:
  int m_port = 0;
  std::thread m_thread;
};

// Options for a client of `hosts` (plain HTTP), with fast retries.
inline RegistryOptions loopback_options(std::initializer_list<std::string> hosts) {
  RegistryOptions o;
  o.insecure_hosts.insert(hosts.begin(), hosts.end());
  o.backoff = std::chrono::milliseconds(10);
  o.max_retry_after = std::chrono::milliseconds(200);
  o.stall_timeout = std::chrono::seconds(5);
  return o;
}

// A registry behind basic auth: true, with `res` a 401 that carries a
// Basic challenge, unless `req` carries the `expected` Authorization.
inline bool basic_challenged(const httplib::Request& req, httplib::Response& res, const std::string& expected) {
  if (req.get_header_value("Authorization") == expected) return false;
  res.status = 401;
  res.set_header("WWW-Authenticate", R"(Basic realm="test")");
  return true;
}

inline AuthStore auth_for(const std::string& host, const std::string& user, const std::string& pass) {
  AuthStore a;
  a.add(host, {user, pass, {}});
  return a;
}

}  // namespace airlock::test
