// Shared helpers for the forwarding tests: a test proxy identity, message
// parsing that keeps its bytes alive, and header lookups on the output.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "forward/forwarder.h"
#include "sip/validator.h"
#include "sip/values.h"
#include "sip/via.h"

namespace sipguard::forward::testing {

inline IpAddress Ip(std::string_view text) { return IpAddress::Parse(text).value(); }

inline Endpoint Ep(std::string_view ip, uint16_t port, Transport t = Transport::kUdp) {
  return Endpoint{Ip(ip), port, t};
}

// The proxy: 198.51.100.1:5060 over UDP and TCP, [2001:db8::1]:5060 over UDP.
inline ProxyIdentity TestIdentity() {
  ProxyIdentity id;
  id.listen = {Ep("198.51.100.1", 5060), Ep("198.51.100.1", 5060, Transport::kTcp),
               Ep("2001:db8::1", 5060)};
  id.aliases = {"sip.example.com"};
  id.secret = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  return id;
}

inline Forwarder TestForwarder(ForwardOptions options = {}) {
  return Forwarder::Create(TestIdentity(), std::move(options)).value();
}

inline std::vector<Backend> TestBackends() {
  return {{Ep("192.0.2.101", 5080), true},
          {Ep("192.0.2.102", 5080), true},
          {Ep("192.0.2.103", 5080), true}};
}

inline const Endpoint kClient = Ep("203.0.113.7", 40000);

// A message and the bytes it views.
struct Parsed {
  std::string bytes;
  std::unique_ptr<sip::Message> msg = std::make_unique<sip::Message>();
  sip::Verdict verdict;
};

inline std::unique_ptr<Parsed> ParseMsg(std::string bytes,
                                        sip::Transport t = sip::Transport::kDatagram) {
  auto p = std::make_unique<Parsed>();
  p->bytes = std::move(bytes);
  sip::ValidatorOptions options;
  options.transport = t;
  p->verdict = sip::ParseAndValidate(p->bytes, options, p->msg.get());
  return p;
}

// Values of every header line with this id, in order.
inline std::vector<std::string> Values(const sip::Message& m, sip::HeaderId id) {
  std::vector<std::string> out;
  for (const sip::HeaderField& h : m.headers()) {
    if (h.id == id) out.emplace_back(h.value);
  }
  return out;
}

// All Via elements, in order, across lines.
inline std::vector<std::string> ViaElements(const sip::Message& m) {
  std::vector<std::string> out;
  for (const sip::HeaderField& h : m.headers()) {
    if (h.id != sip::HeaderId::kVia) continue;
    sip::ListSplitter list(h.value);
    std::string_view e;
    while (list.Next(&e)) out.emplace_back(e);
  }
  return out;
}

inline sip::Via ParseViaText(const std::string& text) {
  sip::Via via;
  EXPECT_EQ(sip::ParseVia(text, &via), sip::ViaError::kNone) << text;
  return via;
}

// Replaces the first occurrence of `from` in `s`.
inline std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

inline const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.net>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@203.0.113.7\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@203.0.113.7:40000>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

// Forwards `bytes` from `source`; expects success and returns the outcome
// with its bytes copied into *buffer.
struct Forwarded {
  Outcome outcome;
  std::string bytes;
};

inline Forwarded ForwardRequest(const Forwarder& f, const std::string& bytes,
                                const Endpoint& source = kClient,
                                const std::vector<Backend>& backends = TestBackends()) {
  auto p = ParseMsg(bytes);
  EXPECT_TRUE(p->verdict.ok()) << sip::Describe(p->verdict.check).name << "\n" << bytes;
  std::vector<char> out(65536);
  Result<Outcome> r = f.Request(*p->msg, source, backends, out);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return {};
  Forwarded fw{*r, std::string(r->bytes)};
  fw.outcome.bytes = {};
  return fw;
}

}  // namespace sipguard::forward::testing
