// Character classes of RFC 3261 §25.1, as constexpr lookup tables.
//
// Every byte of a SIP message is attacker-controlled, so classification is a
// single table load per byte with no locale and no branches on signedness.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sipguard::sip {

namespace chars_detail {

enum : uint16_t {
  kAlpha = 1 << 0,
  kDigit = 1 << 1,
  kHex = 1 << 2,
  kToken =
      1 << 3,  // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  kUnreserved = 1 << 4,  // alphanum / mark
  kUserUnres = 1 << 5,   // "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
  kParamUnres = 1 << 6,  // "[" / "]" / "/" / ":" / "&" / "+" / "$"
  kHnvUnres = 1 << 7,    // "[" / "]" / "/" / "?" / ":" / "+" / "$"
  kWord = 1 << 8,        // word chars of Call-ID: token plus ( ) < > : \ " / [ ] ? { }
  kPassword = 1 << 9,    // "&" / "=" / "+" / "$" / ","
  kWsp = 1 << 10,        // SP / HTAB
  kReserved = 1 << 11,   // ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / "," and "[" "]"
};

constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> t{};
  auto set = [&t](std::string_view s, uint16_t f) {
    for (char c : s) t[static_cast<unsigned char>(c)] |= f;
  };
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] |= kAlpha;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] |= kDigit | kHex;
  set("abcdefABCDEF", kHex);
  for (size_t c = 0; c < 256; ++c) {
    if (t[c] & (kAlpha | kDigit)) t[c] |= kToken | kUnreserved | kWord;
  }
  set("-.!%*_+`'~", kToken | kWord);
  set("-_.!~*'()", kUnreserved);
  set("&=+$,;?/", kUserUnres);
  set("[]/:&+$", kParamUnres);
  set("[]/?:+$", kHnvUnres);
  set("()<>:\\\"/[]?{}", kWord);
  set("&=+$,", kPassword);
  set(" \t", kWsp);
  set(";/?:@&=+$,[]", kReserved);
  return t;
}

inline constexpr std::array<uint16_t, 256> kTable = MakeTable();

inline bool Has(char c, uint16_t flag) {
  return (kTable[static_cast<unsigned char>(c)] & flag) != 0;
}

}  // namespace chars_detail

inline bool IsAlpha(char c) { return chars_detail::Has(c, chars_detail::kAlpha); }
inline bool IsDigit(char c) { return chars_detail::Has(c, chars_detail::kDigit); }
inline bool IsAlnum(char c) {
  return chars_detail::Has(c, chars_detail::kAlpha | chars_detail::kDigit);
}
inline bool IsHex(char c) { return chars_detail::Has(c, chars_detail::kHex); }
inline bool IsTokenChar(char c) { return chars_detail::Has(c, chars_detail::kToken); }
inline bool IsUnreserved(char c) { return chars_detail::Has(c, chars_detail::kUnreserved); }
inline bool IsUserUnreserved(char c) { return chars_detail::Has(c, chars_detail::kUserUnres); }
inline bool IsParamUnreserved(char c) { return chars_detail::Has(c, chars_detail::kParamUnres); }
inline bool IsHnvUnreserved(char c) { return chars_detail::Has(c, chars_detail::kHnvUnres); }
inline bool IsWordChar(char c) { return chars_detail::Has(c, chars_detail::kWord); }
// reserved / unreserved of RFC 3261 §25.1 (escapes are checked separately).
inline bool IsUriChar(char c) {
  return chars_detail::Has(c, chars_detail::kUnreserved | chars_detail::kReserved);
}
inline bool IsPasswordChar(char c) { return chars_detail::Has(c, chars_detail::kPassword); }
// Linear white space inside a header value. Folding has already been
// validated by the message parser (CRLF is always followed by SP/HTAB inside a
// value), so CR and LF count as white space here.
inline bool IsLws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

inline std::string_view TrimLws(std::string_view s) {
  while (!s.empty() && IsLws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsLws(s.back())) s.remove_suffix(1);
  return s;
}

// ASCII case-insensitive equality; SIP header names, schemes and most
// parameter names compare this way.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace sipguard::sip
