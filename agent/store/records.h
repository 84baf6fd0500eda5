// The values sipguard_store reads and writes (see store.h for the operations).
//
// Times are int64 milliseconds since the Unix epoch, always passed in by the
// caller: the store never reads a clock. Addresses are sipguard::IpAddress
// (stored as canonical text; an IPv4-mapped IPv6 address is its IPv4 address)
// and networks sipguard::Cidr (host bits cleared, canonical text), so one
// host or network is never stored twice under two spellings.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/cidr.h"
#include "common/event.h"
#include "common/ip_address.h"

namespace sipguard::store {

using TimeMs = int64_t;

// Longest source name and journal cursor the store accepts (they come from the
// agent's configuration and from sd_journal_get_cursor(), not from packets).
inline constexpr size_t kMaxSourceLen = 256;
inline constexpr size_t kMaxJournalCursorLen = 1024;
// Longest ban reason, lift reason and whitelist comment kept (longer text is
// cut, after SanitizeField(): they may quote attacker-controlled values).
inline constexpr size_t kMaxReasonLen = 256;

// One event as stored. On writing, the strings are passed through
// SanitizeField() with the caps of common/event.h (kMaxCallIdLen, ...;
// source: kMaxSourceLen), a no-op for what ParseEventFields() produced.
struct EventRecord {
  int64_t id = 0;  // Assigned by the store (insertion order); ignored on writing.
  TimeMs time_ms = 0;
  IpAddress ip;
  EventType type = EventType::kMalformed;
  uint16_t src_port = 0;
  std::string transport, method, call_id, from_uri, user_agent;
  int reply = 0;       // Status code sent, 0 = dropped.
  int retcode = 0;     // 0 = none.
  std::string source;  // The agent's name of the source it came from.
};

// Where a source has been read up to.
struct JournalCursor {
  std::string cursor;  // sd_journal_get_cursor() text.
  friend bool operator==(const JournalCursor&, const JournalCursor&) = default;
};
struct FileOffset {
  uint64_t inode = 0;   // Of the file read (rotation check).
  uint64_t offset = 0;  // Bytes consumed.
  friend bool operator==(const FileOffset&, const FileOffset&) = default;
};
using Cursor = std::variant<JournalCursor, FileOffset>;

struct SourceCursor {
  std::string source;  // 1..kMaxSourceLen bytes.
  Cursor cursor;
};

// What ApplyBatch() commits atomically.
struct Batch {
  struct Item {
    EventRecord event;
    double weight = 0;  // Score this event adds (>= 0), from the agent's rules.
  };
  std::vector<Item> events;
  // Position of each source after the events above.
  std::vector<SourceCursor> cursors;
};

struct Offender {
  IpAddress ip;
  double score = 0;  // As of score_ms; see CurrentScore().
  TimeMs score_ms = 0;
  TimeMs first_seen_ms = 0;
  TimeMs last_seen_ms = 0;
  int64_t total_events = 0;
  int64_t ban_count = 0;  // Bans added for exactly this address.
  // Events per type, in kAllEventTypes order, zero counts left out. Filled by
  // GetOffender() only (empty from TopOffenders() and ApplyBatch()).
  std::vector<std::pair<EventType, int64_t>> counts;
};

struct Ban {
  int64_t id = 0;
  Cidr target;  // A host is a /32 or /128.
  std::string reason;
  TimeMs created_ms = 0;
  std::optional<TimeMs> expires_ms;  // nullopt = until lifted.
  std::optional<TimeMs> lifted_ms;   // nullopt = not lifted.
  std::string lift_reason;

  // Not lifted and not expired at now_ms (expires_ms is exclusive).
  bool ActiveAt(TimeMs now_ms) const { return !lifted_ms && (!expires_ms || *expires_ms > now_ms); }
};

struct WhitelistEntry {
  Cidr cidr;
  std::string comment;
  TimeMs created_ms = 0;
};

struct OffenderFilter {
  // Only offenders covered by a ban active at now_ms (a ban of the address
  // itself or of a network containing it).
  bool banned_only = false;
  TimeMs now_ms = 0;
  // Only offenders last seen at or after this time.
  std::optional<TimeMs> since_ms;
};

struct EventFilter {
  std::optional<IpAddress> ip;
  std::optional<EventType> type;
  std::optional<TimeMs> since_ms;  // time_ms >= since_ms
  size_t limit = 100;
};

struct EventStats {
  // Events per type (time_ms >= since), in kAllEventTypes order, zeros included.
  std::vector<std::pair<EventType, int64_t>> by_type;
  int64_t total = 0;
};

struct PruneOptions {
  // Events with time_ms < this are deleted.
  std::optional<TimeMs> events_before_ms;
  // At most this many events are kept (the most recently stored ones).
  std::optional<int64_t> max_events;
  // Offenders last seen before this and not covered by an active host ban at
  // now_ms are deleted (their score has decayed; ban_count is forgotten).
  std::optional<TimeMs> offenders_idle_before_ms;
  // Bans lifted or expired before this are deleted (history).
  std::optional<TimeMs> bans_ended_before_ms;
  TimeMs now_ms = 0;
};

struct PruneResult {
  int64_t events = 0, offenders = 0, bans = 0;  // Rows deleted.
};

}  // namespace sipguard::store
