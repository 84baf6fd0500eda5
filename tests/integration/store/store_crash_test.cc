// Crash safety for real: a child process applies batches in a loop and is
// killed with SIGKILL at random moments; after each kill the store must pass
// integrity_check and hold exactly the events its cursor says were consumed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Ip;
using testing::Opts;
using testing::TempDir;

constexpr int kKills = 20;
constexpr int kAddresses = 16;
const char* const kSource = "/var/log/test.log";

std::string AddressOf(uint64_t seq) { return "198.51.100." + std::to_string(seq % kAddresses); }

// The "agent": resumes from the stored cursor and never stops on its own.
[[noreturn]] void RunWriter(const std::string& path, unsigned seed) {
  auto opened = Store::Open(path, Opts());
  if (!opened.ok()) _exit(2);
  Store s = std::move(opened).value();
  std::mt19937 rng(seed);
  for (;;) {
    auto cur = s.GetCursor(kSource);
    if (!cur.ok()) _exit(3);
    uint64_t next = cur->has_value() ? std::get<FileOffset>(**cur).offset : 0;
    Batch b;
    const uint64_t n = 1 + rng() % 64;
    for (uint64_t i = 0; i < n; ++i, ++next) {
      Batch::Item item = testing::Ev(AddressOf(next), static_cast<int64_t>(next), 1.0);
      item.event.call_id = std::to_string(next);  // The event's sequence number.
      b.events.push_back(std::move(item));
    }
    b.cursors = {{kSource, FileOffset{42, next}}};
    if (!s.ApplyBatch(b).ok()) _exit(4);
  }
}

// Checks the store after a kill; returns the number of events consumed.
uint64_t Verify(const std::string& path) {
  auto opened = Store::Open(path, Opts());
  EXPECT_TRUE(opened.ok()) << opened.error().message();
  if (!opened.ok()) return 0;
  Store s = std::move(opened).value();
  EXPECT_TRUE(s.CheckIntegrity().ok());
  auto cur = s.GetCursor(kSource);
  EXPECT_TRUE(cur.ok());
  const uint64_t consumed = cur->has_value() ? std::get<FileOffset>(**cur).offset : 0;
  auto stats = s.Stats(std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(stats.ok());
  EXPECT_EQ(static_cast<uint64_t>(stats->total), consumed) << "events lost or double-counted";
  int64_t offender_total = 0;
  for (int i = 0; i < kAddresses; ++i) {
    auto o = s.GetOffender(Ip(AddressOf(static_cast<uint64_t>(i))));
    EXPECT_TRUE(o.ok());
    if (o.ok() && o->has_value()) offender_total += (*o)->total_events;
  }
  EXPECT_EQ(static_cast<uint64_t>(offender_total), consumed) << "offender counters disagree";
  return consumed;
}

TEST(StoreCrash, KillNineNeverLosesOrDoubleCounts) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::mt19937 rng(std::random_device{}());
  uint64_t consumed = 0;
  for (int k = 0; k < kKills; ++k) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) RunWriter(path, static_cast<unsigned>(rng()));
    // 20..400 ms: sometimes while opening or migrating, mostly mid-batch.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 380));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with status " << WEXITSTATUS(status);
    const uint64_t now = Verify(path);
    EXPECT_GE(now, consumed);
    consumed = now;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(consumed, 0u);
  std::printf("%d kills, %llu events consumed\n", kKills,
              static_cast<unsigned long long>(consumed));

  // Every sequence number exactly once.
  Store s = testing::OpenOrDie(path, true);
  EventFilter all;
  all.limit = consumed + 1;
  auto events = s.RecentEvents(all);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), consumed);
  std::set<uint64_t> seqs;
  for (const auto& e : *events) seqs.insert(std::stoull(e.call_id));
  EXPECT_EQ(seqs.size(), consumed);
  EXPECT_EQ(*seqs.rbegin(), consumed - 1);
}

}  // namespace
}  // namespace sipguard::store
