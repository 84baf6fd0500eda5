// Shared helpers for the server tests: a recording EventSink, a Runtime for
// a test proxy (192.0.2.1:5060, backend 192.0.2.50:5060, trusted
// 198.51.100.0/24), fixtures, and a minimal backend response builder.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "report/event_sink.h"
#include "server/pipeline.h"
#include "server/runtime.h"

namespace sipguard::server::testing {

struct Recorded {
  EventType type;
  std::string src_ip;
  uint16_t src_port;
  std::string method;
  int reply;
  int retcode;
  uint32_t count;
};

class RecordingSink : public EventSink {
 public:
  Status Write(const Event& e) override {
    events.push_back({e.type, e.src_ip.ToString(), e.src_port, std::string(e.method), e.reply,
                      e.retcode, e.count});
    return {};
  }
  std::vector<Recorded> events;
};

inline IpAddress Ip(std::string_view text) { return IpAddress::Parse(text).value(); }
inline forward::Endpoint Ep(std::string_view ip, uint16_t port,
                            forward::Transport t = forward::Transport::kUdp) {
  return forward::Endpoint{Ip(ip), port, t};
}

inline const forward::Endpoint kProxy = Ep("192.0.2.1", 5060);
inline const forward::Endpoint kBackend = Ep("192.0.2.50", 5060);
inline const forward::Endpoint kBackend2 = Ep("192.0.2.51", 5060);
inline const forward::Endpoint kClient = Ep("203.0.113.7", 40000);
inline const forward::Endpoint kTrusted = Ep("198.51.100.9", 5060);

inline ProxyConfig TestConfig() {
  ProxyConfig c;
  c.listen = {kProxy};
  c.backends = {kBackend};
  c.trusted.Add(Cidr::Parse("198.51.100.0/24").value());
  c.flood.limit = 1000;
  c.flood.window = std::chrono::seconds(2);
  c.flood.capacity = 1024;
  c.auth_failure.capacity = 1024;
  c.enumeration.capacity = 1024;
  c.enumeration.hash_seed = 1;
  c.event_rate = 1000;
  c.event_burst = 1000;
  EXPECT_TRUE(FinishProxyConfig(&c).ok());
  return c;
}

inline std::shared_ptr<const Runtime> MakeRuntime(ProxyConfig config,
                                                  std::shared_ptr<EventSink> sink,
                                                  const Runtime* previous = nullptr) {
  RuntimeInputs in;
  in.advertised = config.listen;
  in.config = std::move(config);
  in.secret = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  in.health_token = "z9hG4bKsghc0011223344556677";
  in.workers = 1;
  in.sink = std::move(sink);
  return BuildRuntime(std::move(in), previous).value();
}

inline std::string Fixture(std::string_view rel) {
  std::ifstream in(std::string(SIPGUARD_SIP_FIXTURE_DIR) + "/" + std::string(rel),
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A response to `request` as a backend writes it: status line, then the
// request's Via, From, To, Call-ID and CSeq lines.
inline std::string ResponseTo(std::string_view request, int status, std::string_view reason) {
  std::string out = "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  size_t pos = request.find("\r\n") + 2;
  while (pos < request.size()) {
    size_t end = request.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    std::string_view line = request.substr(pos, end - pos);
    for (std::string_view name : {"Via:", "From:", "To:", "Call-ID:", "CSeq:"}) {
      if (line.starts_with(name)) out += std::string(line) + "\r\n";
    }
    pos = end + 2;
  }
  return out + "Content-Length: 0\r\n\r\n";
}

struct Harness {
  explicit Harness(ProxyConfig config = TestConfig()) {
    sink = std::make_shared<RecordingSink>();
    pipeline = Pipeline::Create(MakeRuntime(std::move(config), sink), &counters).value();
  }
  Decision Run(std::string_view bytes, const forward::Endpoint& from) {
    last = pipeline->Process(bytes, from, now, out);
    kept.assign(last.bytes);
    return last;
  }
  std::shared_ptr<RecordingSink> sink;
  WorkerCounters counters;
  std::unique_ptr<Pipeline> pipeline;
  detect::TimePoint now = detect::TimePoint() + std::chrono::hours(1);
  std::vector<char> out = std::vector<char>(kMaxMessageBytes);
  Decision last;
  std::string kept;  // copy of last.bytes
};

}  // namespace sipguard::server::testing
