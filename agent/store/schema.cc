#include "store/schema.h"

#include <array>
#include <string>

namespace sipguard::store {
namespace {

// Version 1. Times are milliseconds since the Unix epoch. IP addresses are
// IpAddress::ToString() text (IPv4-mapped IPv6 is the IPv4 address); ip_bin,
// lo and hi are the family byte (4 or 6) followed by the address bytes, so a
// network is a BLOB range.
constexpr const char* kV1 = R"sql(
CREATE TABLE offenders (
  ip            TEXT PRIMARY KEY,
  ip_bin        BLOB NOT NULL,
  score         REAL NOT NULL,     -- score as of score_ms
  score_ms      INTEGER NOT NULL,
  score_key     REAL NOT NULL,     -- log2(score) + score_ms / half_life_ms
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL,
  total_events  INTEGER NOT NULL,
  ban_count     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX offenders_by_key ON offenders(score_key DESC);
CREATE INDEX offenders_by_ip_bin ON offenders(ip_bin);
CREATE INDEX offenders_by_last_seen ON offenders(last_seen_ms);

CREATE TABLE offender_counts (
  ip    TEXT NOT NULL REFERENCES offenders(ip) ON DELETE CASCADE,
  type  TEXT NOT NULL,             -- event wire name, e.g. "too-many-hops"
  count INTEGER NOT NULL,
  PRIMARY KEY (ip, type)
) WITHOUT ROWID;

CREATE TABLE events (
  id          INTEGER PRIMARY KEY, -- insertion order
  time_ms     INTEGER NOT NULL,
  ip          TEXT NOT NULL,
  type        TEXT NOT NULL,
  src_port    INTEGER NOT NULL,
  transport   TEXT NOT NULL,
  method      TEXT NOT NULL,
  call_id     TEXT NOT NULL,
  from_uri    TEXT NOT NULL,
  user_agent  TEXT NOT NULL,
  reply       INTEGER NOT NULL,    -- status code sent, 0 = dropped
  retcode     INTEGER NOT NULL,
  source      TEXT NOT NULL
);
CREATE INDEX events_by_time ON events(time_ms);
CREATE INDEX events_by_ip ON events(ip, time_ms);
CREATE INDEX events_by_type ON events(type, time_ms);

CREATE TABLE bans (
  id          INTEGER PRIMARY KEY,
  target      TEXT NOT NULL,       -- bare address for a host, "net/len" for a network
  is_host     INTEGER NOT NULL,
  lo          BLOB NOT NULL,       -- first address of target
  hi          BLOB NOT NULL,       -- last address of target
  reason      TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  expires_ms  INTEGER,             -- NULL = until lifted
  lifted_ms   INTEGER,             -- NULL = not lifted
  lift_reason TEXT
);
CREATE INDEX bans_by_target ON bans(target);
CREATE INDEX bans_networks ON bans(lo, hi) WHERE is_host = 0;
CREATE INDEX bans_unlifted ON bans(expires_ms) WHERE lifted_ms IS NULL;

CREATE TABLE whitelist (
  cidr       TEXT PRIMARY KEY,     -- Cidr::ToString(), always with the length
  comment    TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);

CREATE TABLE cursors (
  source         TEXT PRIMARY KEY,
  journal_cursor TEXT,             -- set for a journal source
  file_inode     INTEGER,          -- set (with file_offset) for a log file
  file_offset    INTEGER
);
)sql";

constexpr std::array<const char*, 1> kMigrations = {kV1};

struct Header {
  int64_t application_id = 0;
  int64_t user_version = 0;
  int64_t objects = 0;  // Rows of sqlite_schema.
};

Result<int64_t> PragmaInt(Db* db, const std::string& sql) {
  auto stmt = db->Prepare(sql, "cannot read the database header");
  if (!stmt.ok()) return stmt.error();
  Query q(*stmt);
  auto row = q.Step("cannot read the database header");
  if (!row.ok()) return row.error();
  return *row ? q.Int(0) : 0;
}

// The first read of the file: this is where a non-SQLite file fails
// ("file is not a database").
Result<Header> ReadHeader(Db* db) {
  Header h;
  auto app = PragmaInt(db, "PRAGMA application_id");
  if (!app.ok()) return app.error();
  auto ver = PragmaInt(db, "PRAGMA user_version");
  if (!ver.ok()) return ver.error();
  auto n = PragmaInt(db, "SELECT count(*) FROM sqlite_schema");
  if (!n.ok()) return n.error();
  h.application_id = *app;
  h.user_version = *ver;
  h.objects = *n;
  return h;
}

Status CheckHeader(Db* db, const Header& h) {
  if (h.application_id != kApplicationId && (h.application_id != 0 || h.objects != 0)) {
    return db->Fail("not a sipguard database",
                    "a SQLite database of another application (application_id " +
                        std::to_string(h.application_id) + ")");
  }
  if (h.user_version > SchemaVersion()) {
    return db->Fail("cannot use the database",
                    "its schema version " + std::to_string(h.user_version) +
                        " is newer than this sipguard supports (" +
                        std::to_string(SchemaVersion()) + "); upgrade sipguard");
  }
  if (h.user_version < 0) {
    return db->Fail("cannot use the database",
                    "invalid schema version " + std::to_string(h.user_version));
  }
  return {};
}

}  // namespace

int SchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Probe(Db* db) {
  auto h = ReadHeader(db);
  if (!h.ok()) return h.error();
  return CheckHeader(db, *h);
}

Status Migrate(Db* db) {
  auto before = ReadHeader(db);
  if (!before.ok()) return before.error();
  if (auto s = CheckHeader(db, *before); !s.ok()) return s;
  if (before->user_version == SchemaVersion()) return {};

  Transaction txn(db);
  if (auto s = txn.Begin("migrate the schema"); !s.ok()) return s;
  // Re-read under the write lock: another process may have migrated meanwhile.
  auto h = ReadHeader(db);
  if (!h.ok()) return h.error();
  if (auto s = CheckHeader(db, *h); !s.ok()) return s;
  for (auto v = h->user_version; v < SchemaVersion(); ++v) {
    const std::string what = "migrate the schema to version " + std::to_string(v + 1);
    if (auto s = db->Exec(kMigrations[static_cast<size_t>(v)], what); !s.ok()) return s;
    if (auto s = db->Exec("PRAGMA user_version = " + std::to_string(v + 1), what); !s.ok()) {
      return s;
    }
  }
  if (auto s = db->Exec("PRAGMA application_id = " + std::to_string(kApplicationId),
                        "migrate the schema");
      !s.ok()) {
    return s;
  }
  return txn.Commit("migrate the schema");
}

Status CheckSchema(Db* db) {
  auto h = ReadHeader(db);
  if (!h.ok()) return h.error();
  if (auto s = CheckHeader(db, *h); !s.ok()) return s;
  if (h->user_version < SchemaVersion()) {
    return db->Fail("cannot read the database",
                    "schema version " + std::to_string(h->user_version) + " is older than " +
                        std::to_string(SchemaVersion()) +
                        " (or the store was never created); start sipguard-agent to migrate it");
  }
  return {};
}

}  // namespace sipguard::store
