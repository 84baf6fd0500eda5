// A full file system: in a private mount namespace, a 2 MiB tmpfs holds the
// store; batches are applied until SQLite runs out of space. The failing
// ApplyBatch must return an Error saying so, and the database must still open,
// pass integrity_check and hold every batch committed before.
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lib/strict.h"
#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Opts;
using testing::TempDir;

constexpr int kBatchSize = 50;
const char* const kSource = "journal";

Batch MakeBatch(int n) {
  Batch b;
  for (int i = 0; i < kBatchSize; ++i) {
    const int seq = n * kBatchSize + i;
    Batch::Item item = testing::Ev("2001:db8::" + std::to_string(seq % 5000 + 1), seq, 1.0);
    item.event.user_agent = std::string(kMaxUserAgentLen, 'u');
    item.event.from_uri = "sip:" + std::string(kMaxUriLen - 4, 'f');
    item.event.call_id = std::to_string(seq) + std::string(100, 'c');
    b.events.push_back(std::move(item));
  }
  b.cursors = {{kSource, JournalCursor{"batch=" + std::to_string(n + 1)}}};
  return b;
}

class StoreFullDisk : public ::testing::Test {
 protected:
  void TearDown() override {
    if (mounted_) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  TempDir dir_;
  bool mounted_ = false;
};

TEST_F(StoreFullDisk, FailsCleanlyAndKeepsCommittedBatches) {
  SIPGUARD_REQUIRE(geteuid() == 0, "root, to mount a small tmpfs in a private mount namespace");
  ASSERT_EQ(unshare(CLONE_NEWNS), 0) << "unshare(CLONE_NEWNS): " << std::strerror(errno);
  ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0)
      << "make / private: " << std::strerror(errno);
  ASSERT_EQ(mount("sipguard-full", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                  "size=2m,mode=0700"),
            0)
      << "mount tmpfs: " << std::strerror(errno);
  mounted_ = true;
  const std::string path = dir_.File("state.db");

  int committed = 0;
  std::string failure;
  {
    auto opened = Store::Open(path, Opts());
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    Store s = std::move(opened).value();
    for (int n = 0; n < 10'000; ++n) {
      auto r = s.ApplyBatch(MakeBatch(n));
      if (!r.ok()) {
        failure = r.error().message();
        break;
      }
      committed = n + 1;
    }
    ASSERT_FALSE(failure.empty()) << "2 MiB never filled up";
    EXPECT_NE(failure.find("database or disk is full"), std::string::npos) << failure;
    EXPECT_NE(failure.find(path), std::string::npos) << failure;
    // Still full: fails again, the same way, without crashing.
    auto again = s.ApplyBatch(MakeBatch(committed));
    EXPECT_FALSE(again.ok());
    // Reads still work on the same connection.
    auto cur = s.GetCursor(kSource);
    ASSERT_TRUE(cur.ok()) << cur.error().message();
  }
  ASSERT_GT(committed, 0);
  std::printf("%d batches committed, then: %s\n", committed, failure.c_str());

  auto reopened = Store::Open(path, Opts());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  Store s = std::move(reopened).value();
  EXPECT_TRUE(s.CheckIntegrity().ok());
  auto stats = s.Stats(0);
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  EXPECT_EQ(stats->total, int64_t{committed} * kBatchSize);
  auto cur = s.GetCursor(kSource);
  ASSERT_TRUE(cur.ok() && cur->has_value());
  EXPECT_EQ(std::get<JournalCursor>(**cur).cursor, "batch=" + std::to_string(committed));
}

}  // namespace
}  // namespace sipguard::store
