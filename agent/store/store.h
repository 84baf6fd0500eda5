// Store: the agent's state in one SQLite file — offenders with decaying
// scores, recent events, bans, the whitelist and each source's read position.
// sipguard-agent opens it read-write; the sipguard CLI opens it read-only
// (Options::read_only) and reads while the agent writes.
//
// Durability. The database is in WAL mode with synchronous=NORMAL: every
// committed call (ApplyBatch, AddBan, ...) survives a crash or kill -9 of the
// process. A power loss or kernel crash may roll back the transactions
// committed since the last WAL checkpoint (at most a few seconds' worth,
// never a partial one) but does not corrupt the file. ApplyBatch stores the
// events, the offenders they update and the sources' cursors in ONE
// transaction, so after any restart the cursors say exactly which events
// are in the database: resuming from them neither loses nor double-counts one.
//
// Scores. Each event adds its weight to its source address's score, which
// decays with Options::half_life_ms (see score.h); offenders are indexed by a
// key that orders them by current score at any time, so TopOffenders() is an
// index walk. The half-life is global: changing it between runs keeps each
// stored score correct as of its score_ms but makes the order of existing
// rows approximate until they are next updated.
//
// Bounds. Attacker-controlled strings are passed through SanitizeField()
// with the caps of common/event.h before they are stored. Growth is bounded by
// calling Prune() periodically.
//
// Failure: every operation returns a Result/Status; the Error message names
// the database path, the operation and SQLite's message, e.g.
// "/var/lib/sipguard/state.db: apply batch: database or disk is full". A
// failed write changes nothing. Nothing here throws or logs.
//
// Ownership and thread-safety: a Store owns its connection and closes it when
// destroyed. It is not thread-safe: use one Store per thread. Any number of
// Stores, in any processes, may open the same file; writes are serialized by
// SQLite (waiting up to busy_timeout_ms), readers never block the writer.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "store/records.h"

namespace sipguard::store {

class Db;

class Store {
 public:
  struct Options {
    // Score half-life; must be > 0.
    int64_t half_life_ms = int64_t{3600} * 1000;
    // SQLITE_OPEN_READONLY: no migration, no writes; the file must exist and
    // be a store at the current schema version.
    bool read_only = false;
    // How long a call waits for another connection's write lock.
    int busy_timeout_ms = 5000;
    // Page cache of this connection (PRAGMA cache_size), in KiB. The indexes
    // of a million offenders do not fit SQLite's 2 MiB default.
    int cache_kib = 32 * 1024;
  };

  // Opens (read-write: creating and migrating if needed) the store at `path`.
  // Errors: not a SQLite file or corrupt, another application's database, a
  // schema newer than this code (never touched), I/O or permission failure.
  static Result<Store> Open(const std::string& path, const Options& options);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& path() const;
  int64_t half_life_ms() const { return half_life_ms_; }
  // o's score decayed to now_ms.
  double CurrentScore(const Offender& o, TimeMs now_ms) const;

  // --- events, scores and cursors -------------------------------------------
  // In one transaction: inserts the events, adds their weights and counts to
  // their offenders (creating them), and stores the cursors. Returns the
  // offenders touched, updated (in first-appearance order; `counts` empty).
  // Fails, changing nothing, on a write error or an invalid cursor (empty or
  // too long source name or journal cursor).
  Result<std::vector<Offender>> ApplyBatch(const Batch& batch);
  // The stored position of `source`, nullopt if it has none yet.
  Result<std::optional<Cursor>> GetCursor(const std::string& source);

  // --- bans -------------------------------------------------------------------
  // Records a ban of `target` (a host is a /32 or /128) and returns its id.
  // A host ban also increments that offender's ban_count (if it is known).
  // expires_ms nullopt = until lifted.
  Result<int64_t> AddBan(const Cidr& target, const std::string& reason, TimeMs created_ms,
                         std::optional<TimeMs> expires_ms);
  // Lifts every ban of exactly `target` active at now_ms; returns how many.
  Result<int> LiftBan(const Cidr& target, TimeMs now_ms, const std::string& reason);
  // Bans active at now_ms, oldest first.
  Result<std::vector<Ban>> ActiveBans(TimeMs now_ms);
  // Every ban (any state) of `ip` itself or of a network containing it, oldest first.
  Result<std::vector<Ban>> BansFor(const IpAddress& ip);

  // --- whitelist --------------------------------------------------------------
  // Adds `cidr`; false (comment unchanged) if it is already listed.
  Result<bool> WhitelistAdd(const Cidr& cidr, const std::string& comment, TimeMs now_ms);
  // Removes exactly `cidr`; false if it was not listed.
  Result<bool> WhitelistRemove(const Cidr& cidr);
  // In order of addition.
  Result<std::vector<WhitelistEntry>> WhitelistList();

  // --- queries ----------------------------------------------------------------
  Result<std::optional<Offender>> GetOffender(const IpAddress& ip);
  // Up to `limit` offenders by descending current score (ties: any order).
  Result<std::vector<Offender>> TopOffenders(size_t limit, const OffenderFilter& filter);
  // Newest first (by time, then insertion order).
  Result<std::vector<EventRecord>> RecentEvents(const EventFilter& filter);
  // Events per type with time_ms >= since_ms, among those still stored.
  Result<EventStats> Stats(TimeMs since_ms);

  // --- maintenance ------------------------------------------------------------
  // Deletes old rows (see PruneOptions), in one transaction.
  Result<PruneResult> Prune(const PruneOptions& options);
  // PRAGMA integrity_check: ok, or an Error quoting its first finding.
  Status CheckIntegrity();

 private:
  Store(std::unique_ptr<Db> db, const Options& options);
  // An Error for a write on a read-only Store, ok otherwise.
  Status CheckWritable(std::string_view what) const;

  std::unique_ptr<Db> db_;
  int64_t half_life_ms_;
  bool read_only_;
};

}  // namespace sipguard::store
