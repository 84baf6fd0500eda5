// libFuzzer target for the shared library's parsers of untrusted text: IP
// addresses and CIDRs (CLI arguments, config, journal fields), durations,
// config files, and the journal fields an agent reads (ParseEventFields).
// The first byte picks the parser; invariants are checked where they exist
// (a parsed address or CIDR re-parses to itself).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "common/cidr.h"
#include "common/config_file.h"
#include "common/duration.h"
#include "common/event.h"
#include "common/ip_address.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// "NAME=value\n" lines become journal fields.
void FuzzEventFields(std::string_view text) {
  std::map<std::string, std::string, std::less<>> fields;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    size_t eq = line.find('=');
    if (eq != std::string_view::npos) fields[std::string(line.substr(0, eq))] = line.substr(eq + 1);
  }
  auto lookup = [&fields](std::string_view name) -> std::optional<std::string_view> {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  auto e = sipguard::ParseEventFields(lookup);
  if (e.ok()) Require(e->call_id.size() <= sipguard::kMaxCallIdLen, "Call-ID bounded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto ip = sipguard::IpAddress::Parse(text);
      if (ip.ok()) {
        auto again = sipguard::IpAddress::Parse(ip->ToString());
        Require(again.ok() && *again == *ip, "address round trip");
      }
      break;
    }
    case 1: {
      auto cidr = sipguard::Cidr::Parse(text);
      if (cidr.ok()) {
        auto again = sipguard::Cidr::Parse(cidr->ToString());
        Require(again.ok() && *again == *cidr, "CIDR round trip");
        Require(cidr->Contains(cidr->address()), "a CIDR contains its own address");
      }
      break;
    }
    case 2: {
      auto d = sipguard::ParseDuration(text);
      if (d.ok()) {
        Require(*d <= sipguard::kMaxDuration, "duration capped");
        auto again = sipguard::ParseDuration(sipguard::FormatDuration(*d));
        Require(again.ok() && *again == *d, "duration round trip");
      }
      break;
    }
    case 3: (void)sipguard::ConfigFile::Parse(text, "fuzz.conf"); break;
    default: FuzzEventFields(text); break;
  }
  return 0;
}
