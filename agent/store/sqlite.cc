#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace sipguard::store {

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Query::~Query() {
  sqlite3_reset(s_->stmt_);
  sqlite3_clear_bindings(s_->stmt_);
}

Query& Query::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(s_->stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Query& Query::Bind(int index, double value) {
  const int rc = sqlite3_bind_double(s_->stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Query& Query::Bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(s_->stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Query& Query::BindBlob(int index, std::span<const uint8_t> bytes) {
  const int rc =
      sqlite3_bind_blob64(s_->stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Query& Query::BindNull(int index) {
  const int rc = sqlite3_bind_null(s_->stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Result<bool> Query::Step(std::string_view what) {
  if (bind_rc_ != 0) return s_->db_->Fail(what, std::string("bind: ") + sqlite3_errstr(bind_rc_));
  const int rc = sqlite3_step(s_->stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return s_->db_->Fail(what);
}

Status Query::Run(std::string_view what) {
  auto r = Step(what);
  if (!r.ok()) return r.error();
  return {};
}

bool Query::IsNull(int col) const { return sqlite3_column_type(s_->stmt_, col) == SQLITE_NULL; }

int64_t Query::Int(int col) const { return sqlite3_column_int64(s_->stmt_, col); }

double Query::Real(int col) const { return sqlite3_column_double(s_->stmt_, col); }

std::string Query::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_->stmt_, col);
  if (p == nullptr) return {};
  const int n = sqlite3_column_bytes(s_->stmt_, col);
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(n)};
}

std::optional<int64_t> Query::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // A handle is returned even on most failures; own it first so it is closed.
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return Error(path + ": cannot open database: " + sqlite3_errstr(rc));
    return db->Fail("cannot open database");
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db::~Db() {
  cache_.clear();  // Finalize every statement before closing.
  sqlite3_close_v2(db_);
}

Error Db::Fail(std::string_view what) const {
  return Fail(what, db_ == nullptr ? "out of memory" : sqlite3_errmsg(db_));
}

Error Db::Fail(std::string_view what, std::string_view detail) const {
  std::string msg = path_;
  msg += ": ";
  msg += what;
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  }
  return Error(std::move(msg));
}

Status Db::Exec(const std::string& sql, std::string_view what) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return Fail(what);
  return {};
}

Result<Stmt*> Db::Prepare(const std::string& sql, std::string_view what) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return Fail(what);
  }
  auto stmt = std::make_unique<Stmt>(this, raw);
  Stmt* p = stmt.get();
  cache_.emplace(sql, std::move(stmt));
  return p;
}

bool Db::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Db::changes() const { return sqlite3_changes(db_); }

Status Transaction::Begin(std::string_view what) {
  auto s = db_->Exec("BEGIN IMMEDIATE", what);
  open_ = s.ok();
  return s;
}

Status Transaction::Commit(std::string_view what) {
  auto s = db_->Exec("COMMIT", what);
  // A failed COMMIT may leave the transaction open (SQLITE_BUSY) or rolled
  // back (SQLITE_FULL, SQLITE_IOERR); the destructor handles both.
  if (s.ok()) open_ = false;
  return s;
}

Transaction::~Transaction() {
  if (open_ && !db_->autocommit()) {
    // Nothing useful to do if ROLLBACK itself fails: SQLite rolls back when
    // the connection closes, and the next BEGIN reports the problem.
    (void)sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace sipguard::store
