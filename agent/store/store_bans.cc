// Store: bans and the whitelist.
#include <utility>

#include "store/sqlite.h"
#include "store/store.h"
#include "store/store_util.h"

namespace sipguard::store {
namespace {

// Runs a SELECT of kBanColumns with `bind` applied, collecting the bans.
template <typename BindFn>
Result<std::vector<Ban>> SelectBans(Db* db, const std::string& sql, std::string_view what,
                                    BindFn bind) {
  auto stmt = db->Prepare(sql, what);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  bind(q);
  std::vector<Ban> out;
  for (;;) {
    auto row = q.Step(what);
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto ban = ReadBan(*db, q);
    if (!ban.ok()) return ban.error();
    out.push_back(std::move(ban).value());
  }
  return out;
}

}  // namespace

Result<int64_t> Store::AddBan(const Cidr& target, const std::string& reason, TimeMs created_ms,
                              std::optional<TimeMs> expires_ms) {
  constexpr std::string_view kWhat = "add ban";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  auto insert = db_->Prepare(
      "INSERT INTO bans(target, is_host, lo, hi, reason, created_ms, expires_ms) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7)",
      kWhat);
  if (!insert.ok()) return insert.error();
  auto count = db_->Prepare("UPDATE offenders SET ban_count = ban_count + 1 WHERE ip = ?1", kWhat);
  if (!count.ok()) return count.error();

  Transaction txn(db_.get());
  if (auto s = txn.Begin(kWhat); !s.ok()) return s.error();
  const std::string text = TargetText(target);
  {
    Query q(*insert);
    q.Bind(1, text)
        .Bind(2, int64_t{IsHost(target) ? 1 : 0})
        .BindBlob(3, NetworkLo(target).span())
        .BindBlob(4, NetworkHi(target).span())
        .Bind(5, Bounded(reason, kMaxReasonLen))
        .Bind(6, created_ms)
        .Bind(7, expires_ms);
    if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  }
  const int64_t id = db_->last_insert_rowid();
  if (IsHost(target)) {
    Query q(*count);
    q.Bind(1, text);
    if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  }
  if (auto s = txn.Commit(kWhat); !s.ok()) return s.error();
  return id;
}

Result<int> Store::LiftBan(const Cidr& target, TimeMs now_ms, const std::string& reason) {
  constexpr std::string_view kWhat = "lift ban";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  auto stmt = db_->Prepare(
      "UPDATE bans SET lifted_ms = ?2, lift_reason = ?3 WHERE target = ?1 AND lifted_ms IS NULL "
      "AND (expires_ms IS NULL OR expires_ms > ?2)",
      kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, TargetText(target)).Bind(2, now_ms).Bind(3, Bounded(reason, kMaxReasonLen));
  if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  return db_->changes();
}

Result<std::vector<Ban>> Store::ActiveBans(TimeMs now_ms) {
  return SelectBans(db_.get(),
                    std::string("SELECT ") + kBanColumns +
                        " FROM bans WHERE lifted_ms IS NULL AND (expires_ms IS NULL OR "
                        "expires_ms > ?1) ORDER BY created_ms, id",
                    "list active bans", [&](Query& q) { q.Bind(1, now_ms); });
}

Result<std::vector<Ban>> Store::BansFor(const IpAddress& ip) {
  // Host bans by target; network bans by BLOB range (a partial index of the
  // few network bans).
  return SelectBans(db_.get(),
                    std::string("SELECT ") + kBanColumns + " FROM bans WHERE target = ?1 UNION " +
                        "SELECT " + kBanColumns +
                        " FROM bans WHERE is_host = 0 AND lo <= ?2 AND hi >= ?2 "
                        "ORDER BY created_ms, id",
                    "list bans",
                    [&](Query& q) { q.Bind(1, ip.ToString()).BindBlob(2, ToBlob(ip).span()); });
}

Result<bool> Store::WhitelistAdd(const Cidr& cidr, const std::string& comment, TimeMs now_ms) {
  constexpr std::string_view kWhat = "add to whitelist";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  auto stmt = db_->Prepare(
      "INSERT INTO whitelist(cidr, comment, created_ms) VALUES(?1,?2,?3) "
      "ON CONFLICT(cidr) DO NOTHING",
      kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, cidr.ToString()).Bind(2, Bounded(comment, kMaxReasonLen)).Bind(3, now_ms);
  if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  return db_->changes() == 1;
}

Result<bool> Store::WhitelistRemove(const Cidr& cidr) {
  constexpr std::string_view kWhat = "remove from whitelist";
  if (auto s = CheckWritable(kWhat); !s.ok()) return s.error();
  auto stmt = db_->Prepare("DELETE FROM whitelist WHERE cidr = ?1", kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  q.Bind(1, cidr.ToString());
  if (auto s = q.Run(kWhat); !s.ok()) return s.error();
  return db_->changes() == 1;
}

Result<std::vector<WhitelistEntry>> Store::WhitelistList() {
  constexpr std::string_view kWhat = "list whitelist";
  auto stmt = db_->Prepare(
      "SELECT cidr, comment, created_ms FROM whitelist ORDER BY created_ms, rowid", kWhat);
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  std::vector<WhitelistEntry> out;
  for (;;) {
    auto row = q.Step(kWhat);
    if (!row.ok()) return row.error();
    if (!*row) break;
    const std::string text = q.Text(0);
    auto cidr = Cidr::Parse(text);
    if (!cidr.ok()) return BadStoredValue(*db_, kWhat, text);
    out.push_back({*cidr, q.Text(1), q.Int(2)});
  }
  return out;
}

}  // namespace sipguard::store
