#include "common/error.hpp"

#include <openssl/err.h>

#include <cstring>

namespace airlock {

std::string errno_text(int err) { return std::strerror(err); }

std::string openssl_error_text() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

}  // namespace airlock
