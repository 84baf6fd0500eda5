// Forwarding cost on top of parse+validate, one core: the INVITE of
// sip_bench.cc parsed, validated and forwarded to one of three backends.
// Target: forwarding adds < 50% to parse+validate.
//   cmake --preset release && cmake --build --preset release --target forward_bench
//   build/release/tests/bench/forward_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "forward/forwarder.h"
#include "sip/validator.h"

namespace sipguard::forward {
namespace {

const std::string kSdp =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// The INVITE of sip_bench.cc.
const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.net>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY\r\n"
    "Supported: replaces, timer\r\n"
    "User-Agent: Example Softphone 4.2\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: " +
    std::to_string(kSdp.size()) + "\r\n\r\n" + kSdp;

Endpoint Ep(const char* ip, uint16_t port) { return {IpAddress::Parse(ip).value(), port}; }

Forwarder MakeForwarder() {
  ProxyIdentity id;
  id.listen = {Ep("198.51.100.1", 5060)};
  id.secret = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  return Forwarder::Create(id, {}).value();
}

const std::vector<Backend> kBackends = {{Ep("192.0.2.101", 5080), true},
                                        {Ep("192.0.2.102", 5080), true},
                                        {Ep("192.0.2.103", 5080), true}};

// The source differs from the sent-by and the Via asks for rport: the
// received/rport edit is on the measured path.
const Endpoint kSource = Ep("203.0.113.7", 40000);

void ParseValidate(benchmark::State& state) {
  auto msg = std::make_unique<sip::Message>();
  sip::ValidatorOptions options;
  for (auto _ : state) {
    sip::Verdict v = sip::ParseAndValidate(kInvite, options, msg.get());
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void ParseValidateForward(benchmark::State& state) {
  auto msg = std::make_unique<sip::Message>();
  sip::ValidatorOptions options;
  Forwarder f = MakeForwarder();
  std::vector<char> out(65536);
  for (auto _ : state) {
    sip::Verdict v = sip::ParseAndValidate(kInvite, options, msg.get());
    Result<Outcome> r = f.Handle(*msg, v, kSource, kBackends, out);
    if (!r.ok() || r->action != sip::Action::kForward) {
      state.SkipWithError("the INVITE was not forwarded");
      break;
    }
    benchmark::DoNotOptimize(r->bytes.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void ForwardOnly(benchmark::State& state) {
  auto msg = std::make_unique<sip::Message>();
  sip::Verdict v = sip::ParseAndValidate(kInvite, {}, msg.get());
  Forwarder f = MakeForwarder();
  std::vector<char> out(65536);
  for (auto _ : state) {
    Result<Outcome> r = f.Request(*msg, kSource, kBackends, out);
    benchmark::DoNotOptimize(r);
  }
  benchmark::DoNotOptimize(v);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(ParseValidate);
BENCHMARK(ParseValidateForward);
BENCHMARK(ForwardOnly);

}  // namespace
}  // namespace sipguard::forward

BENCHMARK_MAIN();
