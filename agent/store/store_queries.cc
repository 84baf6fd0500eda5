// Store: read queries (offenders, events, stats) and Prune().
#include <algorithm>
#include <limits>
#include <unordered_set>
#include <utility>

#include "store/sqlite.h"
#include "store/store.h"
#include "store/store_util.h"

namespace sipguard::store {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();

int64_t Limit(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

struct Ranked {
  double key;
  Offender offender;
};

// Runs an offender SELECT (kOffenderColumns, then score_key) and appends its rows.
template <typename BindFn>
Status CollectRanked(Db* db, const std::string& sql, BindFn bind, std::vector<Ranked>* out) {
  constexpr std::string_view kWhat = "list offenders";
  auto stmt = db->Prepare(sql, kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  bind(q);
  for (;;) {
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) return {};
    auto o = ReadOffender(*db, q);
    if (!o.ok()) return o.error();
    out->push_back({q.Real(7), std::move(o).value()});
  }
}

Result<EventRecord> ReadEvent(const Db& db, const Query& q) {
  constexpr std::string_view kWhat = "list events";
  EventRecord e;
  e.id = q.Int(0);
  e.time_ms = q.Int(1);
  const std::string ip = q.Text(2);
  auto addr = IpAddress::Parse(ip);
  if (!addr.ok()) return BadStoredValue(db, kWhat, ip);
  e.ip = *addr;
  const std::string type = q.Text(3);
  auto t = ParseEventType(type);
  if (!t.ok()) return BadStoredValue(db, kWhat, type);
  e.type = *t;
  e.src_port = static_cast<uint16_t>(q.Int(4));
  e.transport = q.Text(5);
  e.method = q.Text(6);
  e.call_id = q.Text(7);
  e.from_uri = q.Text(8);
  e.user_agent = q.Text(9);
  e.reply = static_cast<int>(q.Int(10));
  e.retcode = static_cast<int>(q.Int(11));
  e.source = q.Text(12);
  return e;
}

}  // namespace

Result<std::optional<Offender>> Store::GetOffender(const IpAddress& ip) {
  constexpr std::string_view kWhat = "read offender";
  auto one = db_->Prepare(
      std::string("SELECT ") + kOffenderColumns + " FROM offenders WHERE ip = ?1", kWhat);
  if (!one.ok()) return one.error();
  auto counts = db_->Prepare("SELECT type, count FROM offender_counts WHERE ip = ?1", kWhat);
  if (!counts.ok()) return counts.error();
  const std::string text = ip.ToString();

  Offender o;
  {
    Query q(*one);
    q.Bind(1, text);
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Offender>();
    auto r = ReadOffender(*db_, q);
    if (!r.ok()) return r.error();
    o = std::move(r).value();
  }
  Query q(*counts);
  q.Bind(1, text);
  std::vector<std::pair<EventType, int64_t>> found;
  for (;;) {
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) break;
    // A type this version does not know (written by a newer agent) is skipped.
    if (auto t = ParseEventType(q.Text(0)); t.ok()) found.emplace_back(*t, q.Int(1));
  }
  for (EventType t : kAllEventTypes) {
    for (const auto& [type, n] : found) {
      if (type == t && n != 0) o.counts.emplace_back(t, n);
    }
  }
  return std::optional<Offender>(std::move(o));
}

Result<std::vector<Offender>> Store::TopOffenders(size_t limit, const OffenderFilter& filter) {
  const std::string cols = std::string("SELECT ") + kOffenderColumns + ", score_key ";
  const int64_t since = filter.since_ms.value_or(kMinTime);
  std::vector<Ranked> ranked;
  if (!filter.banned_only) {
    // Walks offenders_by_key from the top: O(limit) when most rows pass `since`.
    auto s = CollectRanked(
        db_.get(),
        cols +
            "FROM offenders INDEXED BY offenders_by_key WHERE last_seen_ms >= ?1 "
            "ORDER BY score_key DESC LIMIT ?2",
        [&](Query& q) { q.Bind(1, since).Bind(2, Limit(limit)); }, &ranked);
    if (!s.ok()) return s.error();
  } else {
    // Host bans: from the (few) active bans to their offenders.
    auto s = CollectRanked(
        db_.get(),
        cols +
            "FROM (SELECT DISTINCT target FROM bans WHERE is_host = 1 AND lifted_ms IS NULL "
            "AND (expires_ms IS NULL OR expires_ms > ?1)) AS b "
            "CROSS JOIN offenders ON ip = b.target WHERE last_seen_ms >= ?2 "
            "ORDER BY score_key DESC LIMIT ?3",
        [&](Query& q) { q.Bind(1, filter.now_ms).Bind(2, since).Bind(3, Limit(limit)); }, &ranked);
    if (!s.ok()) return s.error();
    // Network bans: the offenders in each network's address range.
    auto nets = ActiveBans(filter.now_ms);
    if (!nets.ok()) return nets.error();
    for (const Ban& ban : *nets) {
      if (IsHost(ban.target)) continue;
      auto n = CollectRanked(
          db_.get(),
          cols +
              "FROM offenders INDEXED BY offenders_by_ip_bin WHERE ip_bin BETWEEN ?1 AND ?2 "
              "AND last_seen_ms >= ?3 ORDER BY score_key DESC LIMIT ?4",
          [&](Query& q) {
            q.BindBlob(1, NetworkLo(ban.target).span())
                .BindBlob(2, NetworkHi(ban.target).span())
                .Bind(3, since)
                .Bind(4, Limit(limit));
          },
          &ranked);
      if (!n.ok()) return n.error();
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Ranked& a, const Ranked& b) { return a.key > b.key; });
  }
  std::vector<Offender> out;
  std::unordered_set<IpAddress> seen;
  for (auto& r : ranked) {
    if (out.size() >= limit) break;
    if (seen.insert(r.offender.ip).second) out.push_back(std::move(r.offender));
  }
  return out;
}

Result<std::vector<EventRecord>> Store::RecentEvents(const EventFilter& filter) {
  constexpr std::string_view kWhat = "list events";
  std::string sql =
      "SELECT id, time_ms, ip, type, src_port, transport, method, call_id, from_uri, "
      "user_agent, reply, retcode, source FROM events WHERE time_ms >= ?1";
  if (filter.ip) sql += " AND ip = ?2";
  if (filter.type) sql += " AND type = ?3";
  sql += " ORDER BY time_ms DESC, id DESC LIMIT ?4";
  auto stmt = db_->Prepare(sql, kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, filter.since_ms.value_or(kMinTime)).Bind(4, Limit(filter.limit));
  if (filter.ip) q.Bind(2, filter.ip->ToString());
  if (filter.type) q.Bind(3, ToString(*filter.type));
  std::vector<EventRecord> out;
  for (;;) {
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto e = ReadEvent(*db_, q);
    if (!e.ok()) return e.error();
    out.push_back(std::move(e).value());
  }
  return out;
}

Result<EventStats> Store::Stats(TimeMs since_ms) {
  constexpr std::string_view kWhat = "count events";
  auto stmt = db_->Prepare(
      "SELECT type, count(*) FROM events INDEXED BY events_by_time WHERE time_ms >= ?1 "
      "GROUP BY type",
      kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, since_ms);
  EventStats stats;
  for (EventType t : kAllEventTypes) stats.by_type.emplace_back(t, 0);
  for (;;) {
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) break;
    const int64_t n = q.Int(1);
    stats.total += n;
    auto t = ParseEventType(q.Text(0));
    if (!t.ok()) continue;  // A type of a newer version: in the total only.
    for (auto& [type, count] : stats.by_type) {
      if (type == *t) count += n;
    }
  }
  return stats;
}

Result<PruneResult> Store::Prune(const PruneOptions& options) {
  constexpr std::string_view kWhat = "prune";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  Transaction txn(db_.get());
  if (auto s = txn.Begin(kWhat); !s.ok()) return s.error();
  PruneResult result;
  // Runs `sql` with ?1 = value, ?2 = now and adds the rows deleted to *count.
  auto run = [&](const std::string& sql, int64_t value, int64_t* count) -> Status {
    auto stmt = db_->Prepare(sql, kWhat);
    if (!stmt.ok()) return stmt.error();
    Query q(*stmt);
    q.Bind(1, value);
    if (sql.find("?2") != std::string::npos) q.Bind(2, options.now_ms);
    if (auto s = q.Run(kWhat); !s.ok()) return s;
    *count += db_->changes();
    return {};
  };
  if (options.events_before_ms) {
    auto s =
        run("DELETE FROM events WHERE time_ms < ?1", *options.events_before_ms, &result.events);
    if (!s.ok()) return s.error();
  }
  if (options.max_events) {
    auto s = run(
        "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        std::max<int64_t>(*options.max_events, 0), &result.events);
    if (!s.ok()) return s.error();
  }
  if (options.offenders_idle_before_ms) {
    auto s =
        run("DELETE FROM offenders WHERE last_seen_ms < ?1 AND ip NOT IN (SELECT target FROM bans "
            "WHERE is_host = 1 AND lifted_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?2))",
            *options.offenders_idle_before_ms, &result.offenders);
    if (!s.ok()) return s.error();
  }
  if (options.bans_ended_before_ms) {
    auto s = run(
        "DELETE FROM bans WHERE (lifted_ms IS NOT NULL AND lifted_ms < ?1) OR (lifted_ms IS NULL "
        "AND expires_ms IS NOT NULL AND expires_ms < ?1 AND expires_ms <= ?2)",
        *options.bans_ended_before_ms, &result.bans);
    if (!s.ok()) return s.error();
  }
  if (auto s = txn.Commit(kWhat); !s.ok()) return s.error();
  return result;
}

}  // namespace sipguard::store
