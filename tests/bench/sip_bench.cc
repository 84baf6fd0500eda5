// Parse + validate throughput on realistic messages, one core.
// Target (issue 2): >= 1,000,000 messages/s for a ~600-byte INVITE.
//   cmake --preset release && cmake --build --preset release --target sip_bench
//   build/release/tests/bench/sip_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "sip/validator.h"

namespace sipguard::sip {
namespace {

std::string Message(std::string head, const std::string& body = "") {
  size_t at = head.find("@@CL@@");
  if (at != std::string::npos) head.replace(at, 6, std::to_string(body.size()));
  return head + "\r\n" + body;
}

const std::string kSdp =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

const std::string kInvite = Message(
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
    "Content-Length: @@CL@@\r\n",
    kSdp);

const std::string kRegister = Message(
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKnashds7;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:alice@example.com>\r\n"
    "From: <sip:alice@example.com>;tag=456248\r\n"
    "Call-ID: 843817637684230@998sdasdh09\r\n"
    "CSeq: 1827 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.20:5060>;expires=3600\r\n"
    "Authorization: Digest username=\"alice\", realm=\"example.com\", "
    "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:example.com\", "
    "response=\"dfe56131d1958046689d83306477ecc\", algorithm=MD5\r\n"
    "User-Agent: Example Softphone 4.2\r\n"
    "Content-Length: 0\r\n");

const std::string kOptions = Message(
    "OPTIONS sip:100@198.51.100.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK-1234567890;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: \"sipvicious\"<sip:100@198.51.100.1>\r\n"
    "From: \"sipvicious\"<sip:100@198.51.100.1>;tag=6434396633623535\r\n"
    "User-Agent: friendly-scanner\r\n"
    "Call-ID: 1234567890\r\n"
    "Contact: sip:100@203.0.113.66:5060\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n");

const std::string kOk = Message(
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKsg1\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r\n"
    "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@example.net>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: @@CL@@\r\n",
    kSdp);

// The reject path must stay as fast as the forward path: an attacker's
// malformed flood must not cost more than good traffic.
const std::string kMalformed = Message(
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@exa mple.net>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@203.0.113.66\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n");

void ParseAndValidateBench(benchmark::State& state, const std::string* data, bool expect_ok) {
  auto msg = std::make_unique<sipguard::sip::Message>();
  ValidatorOptions options;
  Verdict v = ParseAndValidate(*data, options, msg.get());
  if (v.ok() != expect_ok) {
    state.SkipWithError("benchmark message has the wrong verdict");
    return;
  }
  for (auto _ : state) {
    Verdict r = ParseAndValidate(*data, options, msg.get());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data->size()));
  state.counters["msg_bytes"] = static_cast<double>(data->size());
}

BENCHMARK_CAPTURE(ParseAndValidateBench, invite, &kInvite, true);
BENCHMARK_CAPTURE(ParseAndValidateBench, register, &kRegister, true);
BENCHMARK_CAPTURE(ParseAndValidateBench, options, &kOptions, true);
BENCHMARK_CAPTURE(ParseAndValidateBench, ok_200, &kOk, true);
BENCHMARK_CAPTURE(ParseAndValidateBench, malformed_from, &kMalformed, false);

}  // namespace
}  // namespace sipguard::sip

BENCHMARK_MAIN();
