// SanitizeField: make attacker-controlled text safe to put into a log line.
//
// A SIP header is whatever the sender wrote. Before a Call-ID, URI, User-Agent
// or method enters a journal MESSAGE, a structured SIPGUARD_* field or an error
// message, it goes through SanitizeField, which guarantees that the result
//   - is a single line of printable ASCII (bytes 0x20..0x7e),
//   - contains no '|' (the field separator of "<call-id>|<stage>|<text>"
//     lines, so the first '|' of such a line always ends the Call-ID),
//   - is at most `max_len` bytes long, and
//   - is never empty when max_len > 0 (empty input becomes "-"), so a field
//     never vanishes and shifts the ones after it.
// '|' and every byte outside 0x20..0x7e (control characters, CR, LF, NUL, DEL,
// every byte of a non-ASCII UTF-8 sequence) is written as the four characters
// "\xNN" (lower-case hex), so '|' becomes "\x7c". Longer output is cut at a
// character or escape boundary (never inside an escape) and ends in "...".
// Backslashes are kept as they are, so SanitizeField is idempotent: applying it
// again with the same max_len returns its own output unchanged (the agent
// re-applies it to everything it reads back from the journal).
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sipguard {

// Appends the sanitized form of `in` to *out (which it does not clear); at most
// max_len bytes are appended. If max_len < 3 there is no room for "...": a
// value that needs truncating is then written as max_len dots.
void SanitizeField(std::string_view in, size_t max_len, std::string* out);

// Returns the sanitized `in` in double quotes ("" for empty input): how an
// Error message names a rejected input.
std::string QuoteForError(std::string_view in, size_t max_len = 64);

}  // namespace sipguard
