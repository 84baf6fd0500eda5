// Lexical helpers shared by the header value parsers: comma-separated lists,
// quoted strings and ;parameters, all with RFC 3261's LWS rules (white space,
// including folded CRLF+WSP, allowed around separators). Zero-copy.
#pragma once

#include <cstddef>
#include <string_view>

namespace sipguard::sip {

// Upper bound on list elements and parameters per value: a resource limit on
// attacker-controlled input, far above what real traffic carries.
inline constexpr size_t kMaxListElements = 128;
inline constexpr size_t kMaxParams = 64;

// If s[pos] starts a quoted-string, sets *end to the index after its closing
// quote and returns true; false when unterminated or holding CR/LF/NUL.
bool SkipQuotedString(std::string_view s, size_t pos, size_t* end);

// Iterates the top-level, comma-separated elements of a header value. Commas
// inside quoted strings and <...> do not split. Each element is LWS-trimmed.
class ListSplitter {
 public:
  explicit ListSplitter(std::string_view value) : rest_(value) {}
  // Next element into *element. Returns false at the end or on error (check
  // error()): an empty element (",,"), an unterminated quote or '<', or more
  // than kMaxListElements elements.
  bool Next(std::string_view* element);
  bool error() const { return error_; }

 private:
  std::string_view rest_;
  size_t count_ = 0;
  bool done_ = false;
  bool error_ = false;
};

// Parses `*( SEMI generic-param )` (RFC 3261 §25.1) where `s` is empty or
// starts (after LWS) with ';'. generic-param = token [ EQUAL gen-value ] with
// gen-value = token / host / quoted-string. Calls visit(name, value) for each
// (value empty when absent; a quoted value keeps its quotes). Returns false on
// an empty parameter (";;"), a bad name or value, or more than kMaxParams.
// `visit` returns false to reject a parameter (e.g. a bad branch).
template <typename Visit>
bool ParseParams(std::string_view s, Visit visit);

// --- implementation details below ---
bool ParseOneParam(std::string_view* s, std::string_view* name, std::string_view* value);

template <typename Visit>
bool ParseParams(std::string_view s, Visit visit) {
  size_t count = 0;
  std::string_view name, value;
  while (true) {
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    s.remove_prefix(i);
    if (s.empty()) return true;
    if (++count > kMaxParams) return false;
    if (!ParseOneParam(&s, &name, &value)) return false;
    if (!visit(name, value)) return false;
  }
}

}  // namespace sipguard::sip
