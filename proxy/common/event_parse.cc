// ParseEventFields(): the consumer side of the event contract (event.h).
#include <charconv>
#include <limits>

#include "common/event.h"

namespace sipguard {
namespace {

Error BadField(std::string_view name, std::string_view value, std::string_view why) {
  return Error(std::string(name) + "=" + QuoteForError(value) + ": " + std::string(why));
}

Error MissingField(std::string_view name) { return Error("missing field " + std::string(name)); }

// Whole-string decimal in [lo, hi]; no sign for unsigned types, no spaces.
template <typename Int>
std::optional<Int> ParseInt(std::string_view s, Int lo, Int hi) {
  if (s.empty() || s[0] == '+') return std::nullopt;
  Int v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

// Reads an optional integer field into *out; Error if present but invalid.
template <typename Int>
Status ReadInt(const FieldLookup& lookup, std::string_view name, Int lo, Int hi, Int* out) {
  const auto value = lookup(name);
  if (!value) return {};
  const auto v = ParseInt<Int>(*value, lo, hi);
  if (!v) return BadField(name, *value, "not a number in range");
  *out = *v;
  return {};
}

// Reads an optional string field, sanitized again, into *out ("-" if absent).
void ReadString(const FieldLookup& lookup, std::string_view name, size_t max_len,
                std::string* out) {
  const auto value = lookup(name);
  out->clear();
  SanitizeField(value.value_or(std::string_view()), max_len, out);
}

}  // namespace

Result<ParsedEvent> ParseEventFields(const FieldLookup& lookup) {
  ParsedEvent ev;
  // Each looked-up view is used up before the next lookup() call.
  {
    constexpr std::string_view kName = "SIPGUARD_EVENT";
    const auto value = lookup(kName);
    if (!value) return MissingField(kName);
    auto type = ParseEventType(*value);
    if (!type.ok()) return BadField(kName, *value, "unknown event type");
    ev.type = *type;
  }
  {
    constexpr std::string_view kName = "SIPGUARD_SRC_IP";
    const auto value = lookup(kName);
    if (!value) return MissingField(kName);
    auto ip = IpAddress::Parse(*value);
    if (!ip.ok()) return BadField(kName, *value, "not an IP address");
    ev.src_ip = *ip;
  }
  if (Status s = ReadInt<uint16_t>(lookup, "SIPGUARD_SRC_PORT", 0, 65535, &ev.src_port); !s.ok()) {
    return s.error();
  }
  {
    constexpr std::string_view kName = "SIPGUARD_REPLY";
    const auto value = lookup(kName);
    if (value && *value != "drop") {
      const auto code = ParseInt<int>(*value, 100, 699);
      if (!code) return BadField(kName, *value, "neither \"drop\" nor a status code");
      ev.reply = *code;
    }
  }
  if (Status s = ReadInt<int>(lookup, "SIPGUARD_RETCODE", std::numeric_limits<int>::min(),
                              std::numeric_limits<int>::max(), &ev.retcode);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ReadInt<uint32_t>(lookup, "SIPGUARD_COUNT", 0,
                                   std::numeric_limits<uint32_t>::max(), &ev.count);
      !s.ok()) {
    return s.error();
  }
  ReadString(lookup, "SIPGUARD_TRANSPORT", kMaxTransportLen, &ev.transport);
  ReadString(lookup, "SIPGUARD_METHOD", kMaxMethodLen, &ev.method);
  ReadString(lookup, "SIPGUARD_CALL_ID", kMaxCallIdLen, &ev.call_id);
  ReadString(lookup, "SIPGUARD_FROM_URI", kMaxUriLen, &ev.from_uri);
  ReadString(lookup, "SIPGUARD_USER_AGENT", kMaxUserAgentLen, &ev.user_agent);
  return ev;
}

}  // namespace sipguard
