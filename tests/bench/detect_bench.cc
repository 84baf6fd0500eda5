// Detector cost per packet, one core: the scanner check on a parsed request
// and the flood check with 100k sources active in the table.
//   cmake --preset release && cmake --build --preset release --target detect_bench
//   build/release/tests/bench/detect_bench
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/flood.h"
#include "detect/scanner.h"
#include "sip/message.h"

namespace sipguard::detect {
namespace {

const std::string kPhoneRegister =
    "REGISTER sip:192.0.2.10 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK-524287-1---6b1a;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Contact: <sip:2001@198.51.100.20:5060;rinstance=7b2a5e1d>\r\n"
    "To: \"Reception\"<sip:2001@192.0.2.10>\r\n"
    "From: \"Reception\"<sip:2001@192.0.2.10>;tag=1893246057\r\n"
    "Call-ID: 0_2874012956@198.51.100.20\r\n"
    "CSeq: 2 REGISTER\r\n"
    "Expires: 3600\r\n"
    "Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, SUBSCRIBE, NOTIFY, INFO, REFER, UPDATE\r\n"
    "User-Agent: Yealink SIP-T46U 108.86.0.45\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string kSvmapOptions =
    "OPTIONS sip:100@192.0.2.10 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK-1846402357;rport\r\n"
    "Content-Length: 0\r\n"
    "From: \"sipvicious\"<sip:100@1.1.1.1>; tag=3835663164393661313363340131363136303235323638\r\n"
    "Accept: application/sdp\r\n"
    "User-Agent: friendly-scanner\r\n"
    "To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
    "Contact: sip:100@203.0.113.7:5060\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Call-ID: 569862815717563806531924\r\n"
    "Max-Forwards: 70\r\n\r\n";

// A legitimate request passes every check (the worst case: nothing matches).
void BM_ScannerCheckLegitimate(benchmark::State& state) {
  auto d = ScannerDetector::Create(ScannerConfig{});
  sip::Message msg;
  if (!d.ok() ||
      sip::Parse(kPhoneRegister, sip::Transport::kDatagram, &msg) != sip::ParseError::kNone) {
    state.SkipWithError("setup");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(d->Check(msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScannerCheckLegitimate);

void BM_ScannerCheckSipvicious(benchmark::State& state) {
  auto d = ScannerDetector::Create(ScannerConfig{});
  sip::Message msg;
  if (!d.ok() ||
      sip::Parse(kSvmapOptions, sip::Transport::kDatagram, &msg) != sip::ParseError::kNone) {
    state.SkipWithError("setup");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(d->Check(msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScannerCheckSipvicious);

// 100k sources active (each seen once), then packets round-robin over them:
// every Check() is a hit in a table far larger than the CPU caches.
void BM_FloodCheck100kSources(benchmark::State& state) {
  FloodConfig config;
  config.capacity = 131072;
  config.window = std::chrono::seconds(10);
  auto d = FloodDetector::Create(config);
  if (!d.ok()) {
    state.SkipWithError("setup");
    return;
  }
  constexpr uint32_t kSources = 100000;
  std::vector<IpAddress> ips;
  ips.reserve(kSources);
  for (uint32_t i = 0; i < kSources; ++i) {
    const uint32_t n = 0x0a000000u + i * 2654435761u % 0x00ffffffu;
    const std::array<uint8_t, 4> b = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                                      static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    ips.push_back(IpAddress::FromV4Bytes(b));
  }
  TimePoint now = Clock::now();
  for (const IpAddress& ip : ips) (void)d->Check(ip, now);
  size_t i = 0;
  for (auto _ : state) {
    now += std::chrono::microseconds(1);
    benchmark::DoNotOptimize(d->Check(ips[i], now));
    if (++i == kSources) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["tracked"] = static_cast<double>(d->tracked());
}
BENCHMARK(BM_FloodCheck100kSources);

// Spoofed sources, each new: every Check() inserts and evicts.
void BM_FloodCheckNewSources(benchmark::State& state) {
  FloodConfig config;
  config.capacity = 65536;
  auto d = FloodDetector::Create(config);
  if (!d.ok()) {
    state.SkipWithError("setup");
    return;
  }
  TimePoint now = Clock::now();
  uint32_t n = 0x0a000000u;
  for (auto _ : state) {
    ++n;
    const std::array<uint8_t, 4> b = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                                      static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    now += std::chrono::microseconds(1);
    benchmark::DoNotOptimize(d->Check(IpAddress::FromV4Bytes(b), now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FloodCheckNewSources);

}  // namespace
}  // namespace sipguard::detect

BENCHMARK_MAIN();
