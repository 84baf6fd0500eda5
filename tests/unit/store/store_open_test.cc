// Opening: schema creation and migration, reopening, refusals, read-only mode.
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store_test_util.h"

namespace sipguard::store {
namespace {

using testing::Ev;
using testing::OpenOrDie;
using testing::Opts;
using testing::TempDir;

// Runs SQL on `path` with a raw connection; returns the first column of the
// first row as text ("" if none).
std::string RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(StoreOpen, CreatesSchemaInNewFile) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  { Store s = OpenOrDie(path); }
  EXPECT_EQ(RawSql(path, "PRAGMA user_version"), "1");
  EXPECT_EQ(RawSql(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawSql(path, "PRAGMA application_id"), std::to_string(0x53475244));
  for (const char* table :
       {"offenders", "offender_counts", "events", "bans", "whitelist", "cursors"}) {
    EXPECT_EQ(
        RawSql(path, std::string("SELECT name FROM sqlite_schema WHERE name='") + table + "'"),
        table);
  }
  EXPECT_EQ(RawSql(path, "SELECT name FROM sqlite_schema WHERE name='offenders_by_key'"),
            "offenders_by_key");
}

TEST(StoreOpen, MigratesAnEmptyFile) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  std::ofstream(path).close();  // Zero bytes: a valid, empty SQLite database.
  Store s = OpenOrDie(path);
  EXPECT_TRUE(s.CheckIntegrity().ok());
  EXPECT_EQ(RawSql(path, "PRAGMA user_version"), "1");
}

TEST(StoreOpen, ReopenKeepsData) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    Store s = OpenOrDie(path);
    Batch b;
    b.events = {Ev("192.0.2.1", 1000), Ev("192.0.2.1", 2000)};
    b.cursors = {{"journal", JournalCursor{"s=abc;i=1"}}};
    ASSERT_TRUE(s.ApplyBatch(b).ok());
  }
  Store s = OpenOrDie(path);
  auto o = s.GetOffender(testing::Ip("192.0.2.1"));
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->total_events, 2);
  auto c = s.GetCursor("journal");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ(std::get<JournalCursor>(**c).cursor, "s=abc;i=1");
}

TEST(StoreOpen, RefusesNewerSchema) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  { Store s = OpenOrDie(path); }
  RawSql(path, "PRAGMA user_version = 99");
  for (bool ro : {false, true}) {
    auto s = Store::Open(path, Opts(ro));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find(path), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find("schema version 99 is newer"), std::string::npos)
        << s.error().message();
  }
  EXPECT_EQ(RawSql(path, "PRAGMA user_version"), "99");  // Untouched.
}

TEST(StoreOpen, RefusesGarbageFile) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  std::ofstream(path) << std::string(8192, 'x') << "this is not SQLite\n";
  for (bool ro : {false, true}) {
    auto s = Store::Open(path, Opts(ro));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find(path), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find("file is not a database"), std::string::npos)
        << s.error().message();
  }
}

TEST(StoreOpen, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawSql(path, "CREATE TABLE t(x)");
  auto s = Store::Open(path, Opts());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not a sipguard database"), std::string::npos)
      << s.error().message();
}

TEST(StoreOpen, ReadOnlyNeedsAnExistingStore) {
  TempDir dir;
  auto s = Store::Open(dir.File("missing.db"), Opts(true));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("missing.db"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing.db")));
}

TEST(StoreOpen, ReadOnlyRefusesWrites) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  { Store s = OpenOrDie(path); }
  Store ro = OpenOrDie(path, true);
  Batch b;
  b.events = {Ev("192.0.2.1", 1000)};
  auto r = ro.ApplyBatch(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("read-only"), std::string::npos) << r.error().message();
  EXPECT_FALSE(ro.AddBan(testing::Net("192.0.2.1"), "x", 1, std::nullopt).ok());
}

TEST(StoreOpen, ReadOnlyReadsWhileWriterWrites) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  Store writer = OpenOrDie(path);
  Store reader = OpenOrDie(path, true);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread t([&] {
    for (int i = 0; i < 200 && !stop; ++i) {
      Batch b;
      for (int j = 0; j < 20; ++j) {
        b.events.push_back(Ev("198.51.100." + std::to_string(j), int64_t{i} * 1000 + j));
      }
      b.cursors = {{"file", FileOffset{7, static_cast<uint64_t>(i + 1) * 20}}};
      auto r = writer.ApplyBatch(b);
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
      if (!r.ok()) break;
      written = i + 1;
    }
  });
  int reads = 0;
  while (written < 200 && reads < 100000) {
    auto top = reader.TopOffenders(5, {});
    ASSERT_TRUE(top.ok()) << top.error().message();
    auto ev = reader.RecentEvents({});
    ASSERT_TRUE(ev.ok()) << ev.error().message();
    ++reads;
  }
  stop = true;
  t.join();
  EXPECT_GT(reads, 0);
  auto stats = reader.Stats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 200 * 20);
}

}  // namespace
}  // namespace sipguard::store
