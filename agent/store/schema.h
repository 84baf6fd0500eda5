// The store's schema: an ordered list of migrations, versioned with
// PRAGMA user_version and marked with PRAGMA application_id.
//
// Migration i (1-based) takes a database from version i-1 to i, in one
// transaction that also sets user_version, so a crash leaves either version.
// Migrations are append-only: a released one is never edited.
//
// Internal to sipguard_store. Nothing here logs or throws.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "store/sqlite.h"

namespace sipguard::store {

// "SGRD": PRAGMA application_id of every sipguard store.
inline constexpr int32_t kApplicationId = 0x53475244;

// The version this code writes and reads.
int SchemaVersion();

// Reads the header of a freshly opened file. The first read of the file: a
// non-SQLite or corrupt file fails here ("file is not a database"), as does a
// SQLite database of another application or with a newer schema version.
Status Probe(Db* db);

// Brings a read-write database up to SchemaVersion(): creates the schema in a
// new or empty file, applies pending migrations to an older one. Fails with
// an Error naming the path when the file is not a SQLite database, is a
// SQLite database of another application, or has a newer schema version than
// this code knows.
Status Migrate(Db* db);

// For a read-only connection: succeeds only if the database is a sipguard
// store at exactly SchemaVersion() (an older one must first be opened by a
// writer, which migrates it).
Status CheckSchema(Db* db);

}  // namespace sipguard::store
