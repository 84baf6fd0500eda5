#include "proxy_config.h"

#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "common/duration.h"
#include "common/sanitize.h"

namespace sipguard {
namespace {

using Setter = std::function<Status(const ConfigEntry&, ProxyConfig*)>;

Result<uint64_t> Number(const ConfigEntry& e, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (e.value.empty() || e.value.size() > 19) {
    return ConfigError(
        e, "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  for (char c : e.value) {
    if (c < '0' || c > '9') {
      return ConfigError(e, "expected a number, got " + QuoteForError(e.value));
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < min || v > max) {
    return ConfigError(e, std::to_string(v) + " is out of range " + std::to_string(min) + ".." +
                              std::to_string(max));
  }
  return v;
}

Result<bool> YesNo(const ConfigEntry& e) {
  if (e.value == "yes" || e.value == "true" || e.value == "on") return true;
  if (e.value == "no" || e.value == "false" || e.value == "off") return false;
  return ConfigError(e, "expected yes or no, got " + QuoteForError(e.value));
}

Result<std::chrono::seconds> Seconds(const ConfigEntry& e, int64_t min_seconds) {
  auto d = ParseDuration(e.value);
  if (!d.ok()) return ConfigError(e, d.error().message());
  if (d->count() < min_seconds) {
    return ConfigError(e, "must be at least " + std::to_string(min_seconds) + "s");
  }
  return *d;
}

// Helpers that turn a typed parse into a setter.
template <typename T, typename Parse, typename Store>
Setter Make(Parse parse, Store store) {
  return [parse, store = std::move(store)](const ConfigEntry& e, ProxyConfig* c) -> Status {
    Result<T> v = parse(e);
    if (!v.ok()) return v.error();
    store(c, *v);
    return {};
  };
}
Setter Count(uint64_t min, uint64_t max, std::function<void(ProxyConfig*, uint64_t)> store) {
  return Make<uint64_t>([min, max](const ConfigEntry& e) { return Number(e, min, max); },
                        std::move(store));
}
Setter Flag(std::function<void(ProxyConfig*, bool)> store) {
  return Make<bool>(YesNo, std::move(store));
}
Setter Span(int64_t min_seconds, std::function<void(ProxyConfig*, std::chrono::seconds)> store) {
  return Make<std::chrono::seconds>(
      [min_seconds](const ConfigEntry& e) { return Seconds(e, min_seconds); }, std::move(store));
}
Setter EndpointList(std::vector<forward::Endpoint> ProxyConfig::*list) {
  return [list](const ConfigEntry& e, ProxyConfig* c) -> Status {
    auto ep = ParseEndpoint(e.value);
    if (!ep.ok()) return ConfigError(e, ep.error().message());
    (c->*list).push_back(*ep);
    return {};
  };
}

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const auto* setters = new std::map<std::string, Setter, std::less<>>{
      {"proxy.listen", EndpointList(&ProxyConfig::listen)},
      {"proxy.backend", EndpointList(&ProxyConfig::backends)},
      {"proxy.trusted",
       [](const ConfigEntry& e, ProxyConfig* c) -> Status {
         auto cidr = Cidr::Parse(e.value);
         if (!cidr.ok()) return ConfigError(e, cidr.error().message());
         c->trusted.Add(*cidr);
         return {};
       }},
      {"proxy.max-forwards", Count(1, 255,
                                   [](ProxyConfig* c, uint64_t v) {
                                     c->forward.max_forwards = static_cast<uint32_t>(v);
                                   })},
      {"proxy.record-route", Flag([](ProxyConfig* c, bool v) { c->forward.record_route = v; })},
      {"proxy.no-backend",
       [](const ConfigEntry& e, ProxyConfig* c) -> Status {
         if (e.value == "reply-503") {
           c->forward.no_backend = forward::NoBackendPolicy::kReply503;
         } else if (e.value == "drop") {
           c->forward.no_backend = forward::NoBackendPolicy::kDrop;
         } else {
           return ConfigError(e, "expected reply-503 or drop, got " + QuoteForError(e.value));
         }
         return {};
       }},
      {"proxy.workers",
       Count(0, 256, [](ProxyConfig* c, uint64_t v) { c->workers = static_cast<unsigned>(v); })},
      {"proxy.log-target",
       [](const ConfigEntry& e, ProxyConfig* c) -> Status {
         if (e.value.empty()) return ConfigError(e, "expected journal, stderr or a file path");
         c->log_target = e.value;
         return {};
       }},
      {"flood.limit",
       Count(1, 1000000,
             [](ProxyConfig* c, uint64_t v) { c->flood.limit = static_cast<uint32_t>(v); })},
      {"flood.window",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->flood.window = v; })},
      {"flood.capacity",
       Count(1, 1 << 24, [](ProxyConfig* c, uint64_t v) { c->flood.capacity = v; })},
      {"scanner.user-agent",
       [](const ConfigEntry& e, ProxyConfig* c) -> Status {
         if (e.value.empty()) return ConfigError(e, "empty pattern");
         c->scanner.user_agents.push_back(e.value);
         return {};
       }},
      {"scanner.default-user-agents",
       Flag([](ProxyConfig* c, bool v) { c->scanner.use_default_user_agents = v; })},
      {"scanner.tells", Flag([](ProxyConfig* c, bool v) { c->scanner.check_tells = v; })},
      {"auth-failure.window",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->auth_failure.window = v; })},
      {"auth-failure.forbidden-limit", Count(1, 100000,
                                             [](ProxyConfig* c, uint64_t v) {
                                               c->auth_failure.forbidden_limit =
                                                   static_cast<uint32_t>(v);
                                             })},
      {"auth-failure.challenge-limit", Count(1, 100000,
                                             [](ProxyConfig* c, uint64_t v) {
                                               c->auth_failure.challenge_limit =
                                                   static_cast<uint32_t>(v);
                                             })},
      {"enumeration.window",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->enumeration.window = v; })},
      {"enumeration.distinct-limit", Count(2, detect::kMaxDistinctLimit,
                                           [](ProxyConfig* c, uint64_t v) {
                                             c->enumeration.distinct_limit =
                                                 static_cast<uint32_t>(v);
                                           })},
      {"events.rate",
       Count(1, 100000,
             [](ProxyConfig* c, uint64_t v) { c->event_rate = static_cast<double>(v); })},
      {"events.burst",
       Count(1, 1000000,
             [](ProxyConfig* c, uint64_t v) { c->event_burst = static_cast<double>(v); })},
      {"health.interval",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->health_interval = v; })},
      {"tcp.max-connections-per-source", Count(1, 100000,
                                               [](ProxyConfig* c, uint64_t v) {
                                                 c->tcp_max_connections_per_source =
                                                     static_cast<unsigned>(v);
                                               })},
      {"tcp.idle-timeout",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->tcp_idle_timeout = v; })},
      {"tcp.header-timeout",
       Span(1, [](ProxyConfig* c, std::chrono::seconds v) { c->tcp_header_timeout = v; })},
  };
  return *setters;
}

}  // namespace

Result<forward::Endpoint> ParseEndpoint(std::string_view text) {
  auto bad = [&text](std::string_view why) {
    return Error("bad endpoint " + QuoteForError(text) + ": " + std::string(why) +
                 " (expected udp:ADDRESS:PORT or tcp:[IPv6]:PORT)");
  };
  forward::Endpoint ep;
  std::string_view rest;
  if (text.substr(0, 4) == "udp:") {
    ep.transport = forward::Transport::kUdp;
  } else if (text.substr(0, 4) == "tcp:") {
    ep.transport = forward::Transport::kTcp;
  } else {
    return bad("unknown transport");
  }
  rest = text.substr(4);
  std::string_view host = rest;
  std::optional<std::string_view> port;  // absent: 5060
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ']'");
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (rest.find(':') != colon) return bad("IPv6 addresses need brackets");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  auto ip = IpAddress::Parse(host);
  if (!ip.ok()) return bad(ip.error().message());
  ep.ip = *ip;
  ep.port = 5060;
  if (port) {
    uint64_t p = 0;
    bool digits = !port->empty() && port->size() <= 5;
    for (char c : *port) digits = digits && c >= '0' && c <= '9';
    for (char c : *port) p = digits ? p * 10 + static_cast<uint64_t>(c - '0') : 0;
    if (!digits || p == 0 || p > 65535) return bad("port is not a number from 1 to 65535");
    ep.port = static_cast<uint16_t>(p);
  }
  return ep;
}

Status ApplyConfigFile(const ConfigFile& file, ProxyConfig* config) {
  for (const ConfigEntry& e : file.entries()) {
    if (e.section.empty()) return ConfigError(e, "key outside a section (start with [proxy])");
    auto it = Setters().find(e.section + "." + e.key);
    if (it == Setters().end()) return ConfigError(e, "unknown key");
    if (Status s = it->second(e, config); !s.ok()) return s;
  }
  return {};
}

Status FinishProxyConfig(ProxyConfig* config) {
  if (config->listen.empty()) return Error("no listen endpoint: give --listen or [proxy] listen");
  if (config->backends.empty()) return Error("no backend: give --backend or [proxy] backend");
  for (const auto& ep : config->listen) {
    if (!forward::IsSendableAddress(ep.ip) && !ep.ip.is_unspecified()) {
      return Error("listen address " + ep.ip.ToString() + " is broadcast or multicast");
    }
  }
  for (const auto& ep : config->backends) {
    if (!forward::IsSendableAddress(ep.ip)) {
      return Error("backend address " + ep.ip.ToString() + " cannot be sent to");
    }
  }
  config->flood.trusted = config->trusted;
  config->auth_failure.trusted = config->trusted;
  config->enumeration.trusted = config->trusted;
  if (config->event_burst < 1) config->event_burst = 1;
  return {};
}

}  // namespace sipguard
