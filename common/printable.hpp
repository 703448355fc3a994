#pragma once
// Untrusted text made safe to print. Names from a bundle (signed or not),
// a registry's answers, a git remote's messages and a vendor's YAML can
// hold terminal escape sequences (clear the screen, print a fake
// "VERIFIED"), C1 controls, newlines that forge report lines, invalid UTF-8
// and bidirectional overrides that make text read other than it is. JSON
// output escapes by construction; text output passes every untrusted
// field through printable().

#include <string>
#include <string_view>

namespace airlock {

// `text` with every C0 control (newline and tab too), DEL, C1 control and
// invalid UTF-8 byte written as \xNN, and the Unicode format characters
// that reorder or hide text (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069,
// U+FEFF) as \u{XXXX}.
[[nodiscard]] std::string printable(std::string_view text);

// The same, but newlines are kept: for a whole message or report whose
// lines airlock itself wrote (the last line of defence at the terminal).
[[nodiscard]] std::string terminal_safe(std::string_view text);

}  // namespace airlock
