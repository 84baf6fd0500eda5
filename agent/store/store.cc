// Store: opening, ApplyBatch and cursors. Bans and the whitelist are in
// store_bans.cc, read queries and Prune in store_queries.cc.
#include "store/store.h"

#include <sqlite3.h>

#include <array>
#include <unordered_map>
#include <utility>

#include "store/schema.h"
#include "store/score.h"
#include "store/sqlite.h"
#include "store/store_util.h"

namespace sipguard::store {
namespace {

constexpr size_t kTypeCount = kAllEventTypes.size();

size_t TypeIndex(EventType t) {
  for (size_t i = 0; i < kTypeCount; ++i) {
    if (kAllEventTypes[i] == t) return i;
  }
  return 0;
}

// One offender's share of a batch.
struct Touched {
  IpAddress ip;
  std::string ip_text;
  DecayingScore added;  // Only this batch's events, merged with the row later.
  TimeMs first_ms = 0, last_ms = 0;
  int64_t events = 0;
  std::array<int64_t, kTypeCount> counts{};
};

Status CheckCursor(const Db& db, const SourceCursor& c) {
  if (c.source.empty() || c.source.size() > kMaxSourceLen) {
    return db.Fail("apply batch", "source name must be 1.." + std::to_string(kMaxSourceLen) +
                                      " bytes, got " + std::to_string(c.source.size()));
  }
  if (const auto* j = std::get_if<JournalCursor>(&c.cursor)) {
    if (j->cursor.empty() || j->cursor.size() > kMaxJournalCursorLen) {
      return db.Fail("apply batch", "journal cursor of source \"" + Bounded(c.source, 64) +
                                        "\" must be 1.." + std::to_string(kMaxJournalCursorLen) +
                                        " bytes");
    }
  }
  return {};
}

}  // namespace

Store::Store(std::unique_ptr<Db> db, const Options& options)
    : db_(std::move(db)), half_life_ms_(options.half_life_ms), read_only_(options.read_only) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Status Store::CheckWritable(std::string_view what) const {
  if (read_only_) return db_->Fail(what, "the store was opened read-only");
  return {};
}

const std::string& Store::path() const { return db_->path(); }

double Store::CurrentScore(const Offender& o, TimeMs now_ms) const {
  return DecayScore(o.score, o.score_ms, now_ms, half_life_ms_);
}

Result<Store> Store::Open(const std::string& path, const Options& options) {
  if (options.half_life_ms <= 0) return Error(path + ": open: half-life must be positive");
  const int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  auto opened = Db::Open(path, flags);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<Db> db = std::move(opened).value();
  if (sqlite3_busy_timeout(db->handle(), options.busy_timeout_ms) != SQLITE_OK) {
    return db->Fail("set busy timeout");
  }
  if (auto s = db->Exec("PRAGMA cache_size = " + std::to_string(-int64_t{options.cache_kib}),
                        "set cache size");
      !s.ok()) {
    return s.error();
  }
  if (auto s = Probe(db.get()); !s.ok()) return s.error();

  if (options.read_only) {
    if (auto s = CheckSchema(db.get()); !s.ok()) return s.error();
    if (auto s = db->Exec("PRAGMA query_only = ON", "open read-only"); !s.ok()) return s.error();
  } else {
    // journal_mode is persistent; it answers the mode it ended up in.
    auto stmt = db->Prepare("PRAGMA journal_mode = WAL", "enable WAL");
    if (!stmt.ok()) return stmt.error();
    {
      Query q(*stmt);
      auto row = q.Step("enable WAL");
      if (!row.ok()) return row.error();
      if (!*row || q.Text(0) != "wal") {
        return db->Fail("enable WAL", "the file system does not support WAL mode");
      }
    }
    if (auto s = db->Exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "configure");
        !s.ok()) {
      return s.error();
    }
    if (auto s = Migrate(db.get()); !s.ok()) return s.error();
  }
  return Store(std::move(db), options);
}

Result<std::vector<Offender>> Store::ApplyBatch(const Batch& batch) {
  constexpr std::string_view kWhat = "apply batch";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  for (const auto& c : batch.cursors) {
    if (auto s = CheckCursor(*db_, c); !s.ok()) return s.error();
  }

  std::vector<Touched> touched;
  std::unordered_map<IpAddress, size_t> index;
  for (const auto& item : batch.events) {
    const EventRecord& e = item.event;
    auto [it, fresh] = index.try_emplace(e.ip, touched.size());
    if (fresh) {
      Touched t;
      t.ip = e.ip;
      t.ip_text = e.ip.ToString();
      t.added.t_ms = e.time_ms;
      t.first_ms = t.last_ms = e.time_ms;
      touched.push_back(std::move(t));
    }
    Touched& t = touched[it->second];
    t.added.Add(item.weight, e.time_ms, half_life_ms_);
    t.first_ms = std::min(t.first_ms, e.time_ms);
    t.last_ms = std::max(t.last_ms, e.time_ms);
    ++t.events;
    ++t.counts[TypeIndex(e.type)];
  }

  auto ins_event = db_->Prepare(
      "INSERT INTO events(time_ms, ip, type, src_port, transport, method, call_id, from_uri, "
      "user_agent, reply, retcode, source) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
      kWhat);
  auto get_score = db_->Prepare("SELECT score, score_ms FROM offenders WHERE ip = ?1", kWhat);
  auto upsert = db_->Prepare(
      "INSERT INTO offenders(ip, ip_bin, score, score_ms, score_key, first_seen_ms, "
      "last_seen_ms, total_events) VALUES(?1,?2,?3,?4,?5,?6,?7,?8) "
      "ON CONFLICT(ip) DO UPDATE SET score = excluded.score, score_ms = excluded.score_ms, "
      "score_key = excluded.score_key, "
      "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), "
      "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), "
      "total_events = total_events + excluded.total_events "
      "RETURNING first_seen_ms, last_seen_ms, total_events, ban_count",
      kWhat);
  auto add_count = db_->Prepare(
      "INSERT INTO offender_counts(ip, type, count) VALUES(?1,?2,?3) "
      "ON CONFLICT(ip, type) DO UPDATE SET count = count + excluded.count",
      kWhat);
  auto set_cursor = db_->Prepare(
      "INSERT INTO cursors(source, journal_cursor, file_inode, file_offset) "
      "VALUES(?1,?2,?3,?4) ON CONFLICT(source) DO UPDATE SET "
      "journal_cursor = excluded.journal_cursor, file_inode = excluded.file_inode, "
      "file_offset = excluded.file_offset",
      kWhat);
  for (const auto* s : {&ins_event, &get_score, &upsert, &add_count, &set_cursor}) {
    if (!s->ok()) return s->error();
  }

  Transaction txn(db_.get());
  if (auto s = txn.Begin(kWhat); !s.ok()) return s.error();

  for (const auto& item : batch.events) {
    const EventRecord& e = item.event;
    Query q(*ins_event);
    q.Bind(1, e.time_ms)
        .Bind(2, e.ip.ToString())
        .Bind(3, ToString(e.type))
        .Bind(4, int64_t{e.src_port})
        .Bind(5, Bounded(e.transport, kMaxTransportLen))
        .Bind(6, Bounded(e.method, kMaxMethodLen))
        .Bind(7, Bounded(e.call_id, kMaxCallIdLen))
        .Bind(8, Bounded(e.from_uri, kMaxUriLen))
        .Bind(9, Bounded(e.user_agent, kMaxUserAgentLen))
        .Bind(10, int64_t{e.reply})
        .Bind(11, int64_t{e.retcode})
        .Bind(12, Bounded(e.source, kMaxSourceLen));
    if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  }

  std::vector<Offender> out;
  out.reserve(touched.size());
  for (const Touched& t : touched) {
    DecayingScore score = t.added;
    {
      Query q(*get_score);
      q.Bind(1, t.ip_text);
      auto row = q.Step(kWhat);
      if (!row.ok()) return row.error();
      // Merge the stored score into this batch's: same invariant as Add().
      if (*row) score.Add(q.Real(0), q.Int(1), half_life_ms_);
    }
    Offender o;
    o.ip = t.ip;
    o.score = score.score;
    o.score_ms = score.t_ms;
    {
      Query q(*upsert);
      q.Bind(1, t.ip_text)
          .BindBlob(2, ToBlob(t.ip).span())
          .Bind(3, score.score)
          .Bind(4, score.t_ms)
          .Bind(5, ScoreKey(score.score, score.t_ms, half_life_ms_))
          .Bind(6, t.first_ms)
          .Bind(7, t.last_ms)
          .Bind(8, t.events);
      auto row = q.Step(kWhat);
      if (!row.ok()) return row.error();
      if (!*row) return db_->Fail(kWhat, "offender upsert returned no row");
      o.first_seen_ms = q.Int(0);
      o.last_seen_ms = q.Int(1);
      o.total_events = q.Int(2);
      o.ban_count = q.Int(3);
    }
    for (size_t i = 0; i < kTypeCount; ++i) {
      if (t.counts[i] == 0) continue;
      Query q(*add_count);
      q.Bind(1, t.ip_text).Bind(2, ToString(kAllEventTypes[i])).Bind(3, t.counts[i]);
      if (auto s = q.Run(kWhat); !s.ok()) return s.error();
    }
    out.push_back(std::move(o));
  }

  for (const auto& c : batch.cursors) {
    Query q(*set_cursor);
    q.Bind(1, c.source);
    if (const auto* j = std::get_if<JournalCursor>(&c.cursor)) {
      q.Bind(2, j->cursor).BindNull(3).BindNull(4);
    } else {
      const auto& f = std::get<FileOffset>(c.cursor);
      // Stored as int64 bit patterns (SQLite integers are signed).
      q.BindNull(2).Bind(3, static_cast<int64_t>(f.inode)).Bind(4, static_cast<int64_t>(f.offset));
    }
    if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  }

  if (auto s = txn.Commit(kWhat); !s.ok()) return s.error();
  return out;
}

Result<std::optional<Cursor>> Store::GetCursor(const std::string& source) {
  constexpr std::string_view kWhat = "read cursor";
  auto stmt = db_->Prepare(
      "SELECT journal_cursor, file_inode, file_offset FROM cursors WHERE source = ?1", kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, source);
  auto row = q.Step(kWhat);
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Cursor>();
  if (!q.IsNull(0)) return std::optional<Cursor>(JournalCursor{q.Text(0)});
  return std::optional<Cursor>(
      FileOffset{static_cast<uint64_t>(q.Int(1)), static_cast<uint64_t>(q.Int(2))});
}

Status Store::CheckIntegrity() {
  constexpr std::string_view kWhat = "integrity check";
  auto stmt = db_->Prepare("PRAGMA integrity_check", kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  auto row = q.Step(kWhat);
  if (!row.ok()) return row.error();
  if (!*row) return db_->Fail(kWhat, "no result");
  const std::string first = q.Text(0);
  if (first != "ok") return db_->Fail(kWhat, Bounded(first, 200));
  return {};
}

}  // namespace sipguard::store
