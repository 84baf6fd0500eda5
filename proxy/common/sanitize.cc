#include "common/sanitize.h"

namespace sipguard {
namespace {

constexpr std::string_view kEllipsis = "...";
constexpr size_t kEscapeLen = 4;  // "\xNN"

bool NeedsEscape(unsigned char c) { return c < 0x20 || c > 0x7e || c == '|'; }

size_t UnitLen(unsigned char c) { return NeedsEscape(c) ? kEscapeLen : 1; }

void AppendUnit(unsigned char c, std::string* out) {
  if (!NeedsEscape(c)) {
    out->push_back(static_cast<char>(c));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('\\');
  out->push_back('x');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0x0f]);
}

}  // namespace

void SanitizeField(std::string_view in, size_t max_len, std::string* out) {
  if (in.empty()) {
    if (max_len > 0) out->push_back('-');
    return;
  }
  // Escaped length, stopping as soon as it is known not to fit.
  size_t full = 0;
  for (char ch : in) {
    full += UnitLen(static_cast<unsigned char>(ch));
    if (full > max_len) break;
  }
  if (full <= max_len) {
    out->reserve(out->size() + full);
    for (char ch : in) AppendUnit(static_cast<unsigned char>(ch), out);
    return;
  }
  if (max_len < kEllipsis.size()) {
    out->append(max_len, '.');
    return;
  }
  const size_t budget = max_len - kEllipsis.size();
  size_t used = 0;
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (used + UnitLen(c) > budget) break;
    used += UnitLen(c);
    AppendUnit(c, out);
  }
  out->append(kEllipsis);
}

std::string QuoteForError(std::string_view in, size_t max_len) {
  std::string quoted = "\"";
  if (!in.empty()) SanitizeField(in, max_len, &quoted);
  quoted.push_back('"');
  return quoted;
}

}  // namespace sipguard
