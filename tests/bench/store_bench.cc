// sipguard_store: TopOffenders() over 1,000,000 offenders (target: < 100 ms
// for the top 20; it is an index walk, so it should be well under 1 ms), and
// the write path (ApplyBatch) the agent runs for every batch of events.
//
//   build/release/tests/bench/store_bench [--benchmark_filter=Top]
//
// The database is built once per run in $TMPDIR (default /var/tmp) with
// ApplyBatch itself; building it takes some seconds and is reported.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "store/store.h"

namespace sipguard::store {
namespace {

constexpr int kOffenders = 1'000'000;
constexpr int kBatch = 10'000;
constexpr int64_t kHalfLifeMs = int64_t{3600} * 1000;
constexpr int64_t kNowMs = 1'700'000'000'000;

IpAddress NthAddress(uint32_t n) {
  // 10.0.0.0/8 holds 16M hosts: enough distinct offenders.
  const uint32_t v = (10U << 24) | n;
  const std::array<uint8_t, 4> b = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                                    static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return IpAddress::FromV4Bytes(b);
}

Batch::Item MakeEvent(uint32_t n, int64_t time_ms, double weight) {
  Batch::Item item;
  item.event.time_ms = time_ms;
  item.event.ip = NthAddress(n);
  item.event.type = EventType::kScanner;
  item.event.src_port = 5060;
  item.event.transport = "udp";
  item.event.method = "OPTIONS";
  item.event.call_id = "bench-" + std::to_string(n);
  item.event.from_uri = "sip:100@198.51.100.1";
  item.event.user_agent = "friendly-scanner";
  item.event.source = "journal";
  item.weight = weight;
  return item;
}

// The shared 1M-offender store, built on first use, deleted at exit.
class BenchStore {
 public:
  static Store& Get() {
    static BenchStore instance;
    return instance.store_;
  }

 private:
  BenchStore() : dir_(MakeDir()), store_(Build(dir_ + "/bench.db")) {}
  ~BenchStore() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string MakeDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/var/tmp") + "/store-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }

  static Store Build(const std::string& path) {
    Store::Options options;
    options.half_life_ms = kHalfLifeMs;
    auto opened = Store::Open(path, options);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.error().message().c_str());
      std::abort();
    }
    Store s = std::move(opened).value();
    const auto start = std::chrono::steady_clock::now();
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int64_t> age(0, 24 * kHalfLifeMs);
    std::uniform_real_distribution<double> weight(0.5, 50);
    for (int done = 0; done < kOffenders; done += kBatch) {
      Batch b;
      b.events.reserve(kBatch);
      for (int i = 0; i < kBatch; ++i) {
        b.events.push_back(
            MakeEvent(static_cast<uint32_t>(done + i), kNowMs - age(rng), weight(rng)));
      }
      b.cursors = {{"journal", JournalCursor{"bench;i=" + std::to_string(done + kBatch)}}};
      if (auto r = s.ApplyBatch(b); !r.ok()) {
        std::fprintf(stderr, "%s\n", r.error().message().c_str());
        std::abort();
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "built %d offenders with ApplyBatch in %.1f s (%.0f events/s)\n",
                 kOffenders, secs, kOffenders / secs);
    return s;
  }

  std::string dir_;
  Store store_;
};

void BM_TopOffenders(benchmark::State& state) {
  Store& s = BenchStore::Get();
  const auto limit = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    auto top = s.TopOffenders(limit, {});
    if (!top.ok() || top->size() != limit) state.SkipWithError("TopOffenders failed");
    benchmark::DoNotOptimize(top);
  }
}
BENCHMARK(BM_TopOffenders)->Arg(20)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_TopOffendersSince(benchmark::State& state) {
  Store& s = BenchStore::Get();
  OffenderFilter f;
  f.since_ms = kNowMs - 12 * kHalfLifeMs;  // Half of the offenders pass.
  for (auto _ : state) {
    auto top = s.TopOffenders(20, f);
    if (!top.ok() || top->size() != 20) state.SkipWithError("TopOffenders failed");
    benchmark::DoNotOptimize(top);
  }
}
BENCHMARK(BM_TopOffendersSince)->Unit(benchmark::kMicrosecond);

void BM_GetOffender(benchmark::State& state) {
  Store& s = BenchStore::Get();
  uint32_t n = 0;
  for (auto _ : state) {
    auto o = s.GetOffender(NthAddress(n));
    n = (n + 7919) % kOffenders;
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_GetOffender)->Unit(benchmark::kMicrosecond);

// A batch of 100 events from existing offenders, with a cursor: one commit.
void BM_ApplyBatch100(benchmark::State& state) {
  Store& s = BenchStore::Get();
  uint32_t n = 0;
  int64_t t = kNowMs;
  for (auto _ : state) {
    Batch b;
    for (int i = 0; i < 100; ++i) b.events.push_back(MakeEvent(n++ % kOffenders, ++t, 1.0));
    b.cursors = {{"journal", JournalCursor{"bench;t=" + std::to_string(t)}}};
    if (!s.ApplyBatch(b).ok()) state.SkipWithError("ApplyBatch failed");
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ApplyBatch100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sipguard::store

BENCHMARK_MAIN();
