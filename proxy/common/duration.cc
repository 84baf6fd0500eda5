#include "common/duration.h"

#include <array>
#include <cstdint>

#include "common/sanitize.h"

namespace sipguard {
namespace {

struct Unit {
  char suffix;
  int64_t seconds;
};
constexpr std::array<Unit, 5> kUnits = {
    {{'w', int64_t{7} * 86400}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};

}  // namespace

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  auto bad = [&text](std::string_view why) {
    return Error("bad duration " + QuoteForError(text) + ": " + std::string(why) +
                 " (examples: 90s, 15m, 2h, 7d, 1h30m)");
  };
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (text[i] < '0' || text[i] > '9') return bad("expected a number");
    int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > kMaxDuration.count()) return bad("too long");
      ++i;
    }
    int64_t unit = 1;
    if (i < text.size() && text[i] != ' ') {
      unit = 0;
      for (const Unit& u : kUnits) {
        if (text[i] == u.suffix) unit = u.seconds;
      }
      if (unit == 0) return bad("unknown unit (use s, m, h, d or w)");
      ++i;
    } else if (any) {
      return bad("a bare number may only stand alone");
    }
    total += n * unit;
    if (total > kMaxDuration.count()) return bad("longer than ten years");
    any = true;
  }
  if (!any) return bad("empty");
  return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds d) {
  int64_t left = d.count();
  if (left <= 0) return "0s";
  std::string out;
  for (const Unit& u : kUnits) {
    if (u.suffix == 'w') continue;  // days read better than weeks in tables
    if (left >= u.seconds) {
      out += std::to_string(left / u.seconds);
      out += u.suffix;
      left %= u.seconds;
    }
  }
  return out;
}

}  // namespace sipguard
