// Thin RAII layer over the SQLite C API, private to sipguard_store.
//
// Db owns one sqlite3* connection and a cache of prepared statements: each
// SQL text is prepared once (SQLITE_PREPARE_PERSISTENT) and reused for the
// connection's lifetime. Query borrows a cached statement for one use and
// resets it (and clears its bindings) when it goes out of scope, so a
// statement is never left holding a read transaction open.
//
// Failure: every fallible call returns a Result/Status whose Error message is
// "<database path>: <what was being done>: <sqlite3_errmsg()>", e.g.
// "/var/lib/sipguard/state.db: apply batch: database or disk is full".
// Nothing here logs or throws.
//
// Thread-safety: none. A Db (and every Query on it) is used by one thread at
// a time; other threads or processes open their own Db on the same file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sipguard::store {

class Db;

// One prepared statement, owned by Db's cache.
class Stmt {
 public:
  Stmt(const Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

 private:
  friend class Query;
  const Db* db_;
  sqlite3_stmt* stmt_;
};

// A statement in use: bind (1-based indexes, as in SQL "?1"), step, read
// columns (0-based), reset on destruction. A failed bind is remembered and
// reported by the next Step(), so call sites check one Result.
class Query {
 public:
  explicit Query(Stmt* stmt) : s_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Bind(int index, int64_t value);
  Query& Bind(int index, double value);
  Query& Bind(int index, std::string_view text);  // copied (SQLITE_TRANSIENT)
  Query& BindBlob(int index, std::span<const uint8_t> bytes);
  Query& BindNull(int index);
  Query& Bind(int index, std::optional<int64_t> value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // True when a row is ready, false when done. `what` names the operation in
  // the Error message.
  Result<bool> Step(std::string_view what);
  // Steps once, expecting no row (INSERT/UPDATE/DELETE).
  Status Run(std::string_view what);

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  Stmt* s_;
  int bind_rc_ = 0;  // First failed sqlite3_bind_*() code, 0 if none.
};

class Db {
 public:
  // sqlite3_open_v2() with `flags` (SQLITE_OPEN_*), extended result codes on.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // An Error "<path>: <what>: <sqlite3_errmsg()>" for the last failure.
  Error Fail(std::string_view what) const;
  // An Error "<path>: <what>" without SQLite's message.
  Error Fail(std::string_view what, std::string_view detail) const;

  // Runs one or more SQL statements that return no rows needed.
  Status Exec(const std::string& sql, std::string_view what);
  // The cached statement for `sql`, prepared on first use.
  Result<Stmt*> Prepare(const std::string& sql, std::string_view what);
  // True when no transaction is open.
  bool autocommit() const;
  // sqlite3_last_insert_rowid() and sqlite3_changes() of this connection.
  int64_t last_insert_rowid() const;
  int changes() const;

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Begin() runs BEGIN IMMEDIATE; the destructor rolls back unless Commit()
// succeeded (or SQLite already rolled back on its own, e.g. after SQLITE_FULL). IMMEDIATE takes the
// write lock up front, so two writers wait on busy_timeout instead of deadlocking on a lock
// upgrade.
class Transaction {
 public:
  explicit Transaction(Db* db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin(std::string_view what);
  Status Commit(std::string_view what);

 private:
  Db* db_;
  bool open_ = false;
};

}  // namespace sipguard::store
