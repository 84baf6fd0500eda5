#include "policy/policy_config.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <system_error>

#include "ban/ban_backend.h"  // kMaxBanDuration (header-only constant).
#include "common/duration.h"
#include "common/sanitize.h"

namespace sipguard::policy {
namespace {

// An integral bound as text ("100", "1000000000").
std::string Whole(double v) { return std::to_string(static_cast<int64_t>(v)); }

// A plain decimal: digits, optionally '.' and digits ("2", "1.5").
Result<double> Decimal(const ConfigEntry& e, double min, double max) {
  const std::string& v = e.value;
  bool ok = !v.empty() && v.size() <= 32 && v.front() != '.' && v.back() != '.';
  int dots = 0;
  for (char c : v) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      ok = false;
    }
  }
  double d = 0;
  if (ok && dots <= 1) {
    auto r = std::from_chars(v.data(), v.data() + v.size(), d, std::chars_format::fixed);
    ok = r.ec == std::errc() && r.ptr == v.data() + v.size() && std::isfinite(d);
  } else {
    ok = false;
  }
  if (!ok) return ConfigError(e, "expected a number, got " + QuoteForError(v));
  if (d < min || d > max) {
    return ConfigError(e, QuoteForError(v) + " is out of range " + Whole(min) + ".." + Whole(max));
  }
  return d;
}

Result<std::chrono::seconds> Span(const ConfigEntry& e) {
  auto d = ParseDuration(e.value);
  if (!d.ok()) return ConfigError(e, d.error().message());
  return *d;
}

using Setter = std::function<Status(const ConfigEntry&, PolicyConfig*)>;

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const auto* setters = new std::map<std::string, Setter, std::less<>>{
      {"score.half-life",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto d = Span(e);
         if (!d.ok()) return d.error();
         if (d->count() < 1) return ConfigError(e, "must be at least 1s");
         c->half_life = *d;
         return {};
       }},
      {"score.threshold",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto v = Decimal(e, 0, kMaxThreshold);
         if (!v.ok()) return v.error();
         if (*v <= 0) return ConfigError(e, "must be more than 0");
         c->threshold = *v;
         return {};
       }},
      {"ban.ban-time",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto d = Span(e);
         if (!d.ok()) return d.error();
         if (d->count() < 1) return ConfigError(e, "must be at least 1s");
         if (*d > ban::kMaxBanDuration) return ConfigError(e, "longer than 3650d");
         c->ban_time = *d;
         return {};
       }},
      {"ban.max-ban-time",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto d = Span(e);
         if (!d.ok()) return d.error();
         if (d->count() < 1) return ConfigError(e, "must be at least 1s");
         if (*d > ban::kMaxBanDuration) return ConfigError(e, "longer than 3650d");
         c->max_ban_time = *d;
         return {};
       }},
      {"ban.ban-factor",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto v = Decimal(e, 1, kMaxBanFactor);
         if (!v.ok()) return v.error();
         c->ban_factor = *v;
         return {};
       }},
      {"ban.v6-prefix",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         const std::string& v = e.value;
         bool digits = !v.empty() && v.size() <= 3 && v.front() != '0';
         for (char ch : v) digits = digits && ch >= '0' && ch <= '9';
         int n = digits ? std::stoi(v) : -1;
         if (n < kMinV6PrefixLen || n > 128) {
           return ConfigError(e, "expected a prefix length from " +
                                     std::to_string(kMinV6PrefixLen) + " to 128, got " +
                                     QuoteForError(v));
         }
         c->v6_prefix_len = n;
         return {};
       }},
      {"ban.whitelist",
       [](const ConfigEntry& e, PolicyConfig* c) -> Status {
         auto cidr = Cidr::Parse(e.value);
         if (!cidr.ok()) return ConfigError(e, cidr.error().message());
         c->whitelist.Add(*cidr);
         return {};
       }},
  };
  return *setters;
}

}  // namespace

Status ApplyPolicyConfig(const ConfigFile& file, PolicyConfig* config) {
  const ConfigEntry* last_ban_time = nullptr;
  for (const ConfigEntry& e : file.entries()) {
    if (e.section != "score" && e.section != "ban") continue;
    if (e.section == "score" && e.key.starts_with("weight.")) {
      auto type = ParseEventType(std::string_view(e.key).substr(7));
      if (!type.ok()) return ConfigError(e, "unknown event type");
      auto w = Decimal(e, 0, kMaxWeight);
      if (!w.ok()) return w.error();
      config->weights[static_cast<size_t>(*type)] = *w;
      continue;
    }
    auto it = Setters().find(e.section + "." + e.key);
    if (it == Setters().end()) return ConfigError(e, "unknown key");
    if (Status s = it->second(e, config); !s.ok()) return s;
    if (e.key == "ban-time" || e.key == "max-ban-time") last_ban_time = &e;
  }
  if (last_ban_time != nullptr && config->max_ban_time < config->ban_time) {
    return ConfigError(*last_ban_time, "max-ban-time " + FormatDuration(config->max_ban_time) +
                                           " is shorter than ban-time " +
                                           FormatDuration(config->ban_time));
  }
  return ValidatePolicyConfig(*config);
}

Status ValidatePolicyConfig(const PolicyConfig& c) {
  for (size_t i = 0; i < c.weights.size(); ++i) {
    if (!(c.weights[i] >= 0 && c.weights[i] <= kMaxWeight)) {
      return Error("weight of " + std::string(ToString(kAllEventTypes[i])) + " is out of range");
    }
  }
  if (!(c.threshold > 0 && c.threshold <= kMaxThreshold)) {
    return Error("threshold is out of range");
  }
  if (c.half_life.count() < 1) return Error("half-life must be at least 1s");
  if (c.ban_time.count() < 1) return Error("ban-time must be at least 1s");
  if (c.max_ban_time > ban::kMaxBanDuration) return Error("max-ban-time is longer than 3650d");
  if (c.max_ban_time < c.ban_time) {
    return Error("max-ban-time " + FormatDuration(c.max_ban_time) + " is shorter than ban-time " +
                 FormatDuration(c.ban_time));
  }
  if (!(c.ban_factor >= 1 && c.ban_factor <= kMaxBanFactor)) {
    return Error("ban-factor is out of range 1..100");
  }
  if (c.v6_prefix_len < kMinV6PrefixLen || c.v6_prefix_len > 128) {
    return Error("v6-prefix is out of range " + std::to_string(kMinV6PrefixLen) + "..128");
  }
  return {};
}

}  // namespace sipguard::policy
