#include "detect/scanner_tells.h"

#include <cstddef>
#include <cstdint>

namespace sipguard::detect {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr size_t kMaxTagData = 128;
// str() of a random 32-bit number: at most 10 digits, and fewer than 8 for
// only 0.23% of them. Requiring 8 keeps honest tags out: a random hex tag
// decodes to 8 ASCII digits with probability below 1e-11.
constexpr size_t kMinTagDigits = 8;
constexpr size_t kMaxTagDigits = 10;
constexpr uint64_t kMaxTagNumber = 0xffffffff;

}  // namespace

bool IsSipviciousTag(std::string_view tag) {
  if (tag.size() < 2 * (1 + 1 + kMinTagDigits) || tag.size() % 2 != 0) return false;
  if (tag.size() > 2 * (kMaxTagData + 1 + kMaxTagDigits)) return false;
  size_t data = 0;    // printable bytes before the 0x01
  size_t digits = 0;  // digits after it
  uint64_t number = 0;
  bool separator = false;
  for (size_t i = 0; i < tag.size(); i += 2) {
    const int hi = HexValue(tag[i]);
    const int lo = HexValue(tag[i + 1]);
    if (hi < 0 || lo < 0) return false;
    const int byte = hi * 16 + lo;
    if (!separator) {
      if (byte == 0x01) {
        separator = true;
      } else if (byte >= 0x20 && byte < 0x7f) {
        ++data;
      } else {
        return false;
      }
    } else if (byte >= '0' && byte <= '9' && digits < kMaxTagDigits) {
      ++digits;
      number = number * 10 + static_cast<uint64_t>(byte - '0');
    } else {
      return false;
    }
  }
  return separator && data >= 1 && data <= kMaxTagData && digits >= kMinTagDigits &&
         number <= kMaxTagNumber;
}

bool IsPlaceholderHost(std::string_view host) { return host == "1.1.1.1"; }

bool ContainsNoCase(std::string_view haystack, std::string_view lower_needle) {
  const size_t n = lower_needle.size();
  if (n == 0 || haystack.size() < n) return n == 0;
  const char first = lower_needle[0];
  const size_t last = haystack.size() - n;
  for (size_t i = 0; i <= last; ++i) {
    if (Lower(haystack[i]) != first) continue;
    size_t j = 1;
    while (j < n && Lower(haystack[i + j]) == lower_needle[j]) ++j;
    if (j == n) return true;
  }
  return false;
}

}  // namespace sipguard::detect
