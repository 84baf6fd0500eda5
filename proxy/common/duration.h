// Durations as operators write them: "90s", "15m", "2h", "7d", "1w", a bare
// number of seconds ("300"), or a sum ("1h30m", "1d 12h"). Used by the
// config files and the CLI (--for, --since).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sipguard {

// At most ten years: longer is a typo, and the cap keeps arithmetic on
// seconds far from overflow.
inline constexpr std::chrono::seconds kMaxDuration{int64_t{10} * 366 * 24 * 3600};

// Parses a duration; an Error names the input and what is wrong. Zero is
// allowed ("0s"); negative values are not.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

// The shortest exact form of ParseDuration's syntax: 5400s -> "1h30m",
// 0 -> "0s".
std::string FormatDuration(std::chrono::seconds d);

}  // namespace sipguard
