// Untrusted text never drives the terminal.
#include "common/printable.hpp"

#include <catch2/catch.hpp>

using namespace airlock;

TEST_CASE("printable escapes C0, DEL and C1 controls", "[printable]") {
  CHECK(printable("plain text: ok") == "plain text: ok");
  CHECK(printable("\x1b[2J\x1b[HVERIFIED") == "\\x1b[2J\\x1b[HVERIFIED");
  CHECK(printable("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd");
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("a\x7f") == "a\\x7f");
  CHECK(printable("csi \xc2\x9b"
                  "2J") == "csi \\xc2\\x9b2J");  // U+009B, the 8-bit CSI
  CHECK(printable("nel \xc2\x85") == "nel \\xc2\\x85");
}

TEST_CASE("printable escapes invalid UTF-8 byte by byte and keeps valid UTF-8", "[printable]") {
  CHECK(printable("d\xc3\xa9ploiement \xe2\x9c\x93 \xf0\x9f\x93\xa6") ==
        "d\xc3\xa9ploiement \xe2\x9c\x93 \xf0\x9f\x93\xa6");
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xc3") == "\\xc3");                    // truncated
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
}

TEST_CASE("printable shows the characters that reorder or hide text", "[printable]") {
  CHECK(printable("evil\xe2\x80\xaetxt.yaml") == "evil\\u{202E}txt.yaml");  // right-to-left override
  CHECK(printable("a\xe2\x80\x8b"
                  "b") == "a\\u{200B}b");                 // zero-width space
  CHECK(printable("\xef\xbb\xbfkey") == "\\u{FEFF}key");  // BOM
}

TEST_CASE("terminal_safe keeps the newlines of airlock's own messages", "[printable]") {
  CHECK(terminal_safe("line one\nline two\n") == "line one\nline two\n");
  CHECK(terminal_safe("quoted \x1b]0;title\x07 end\n") == "quoted \\x1b]0;title\\x07 end\n");
  CHECK(terminal_safe("\r\nfake") == "\\x0d\nfake");
}
