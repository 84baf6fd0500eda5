// IngestOnce: the glue from a JournalSource to the Store — one batch of
// events and the journal cursor after them, committed in ONE
// Store::ApplyBatch() transaction. Because the cursor is stored atomically
// with the events it covers, a crash or kill -9 at any moment neither loses
// nor double-counts an event: on restart, open the JournalSource with
// Store::GetCursor(source_name) (see OpenJournalFromStore()).
//
// Thread-safety: as JournalSource and Store (neither is thread-safe; use both
// from one thread). Nothing here throws or logs.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>

#include "common/event.h"
#include "common/result.h"
#include "source/journal_source.h"
#include "store/store.h"

namespace sipguard::source {

// Score weight per event type (>= 0), indexed like kAllEventTypes.
struct EventWeights {
  std::array<double, kAllEventTypes.size()> by_type{};

  static EventWeights Uniform(double w) {
    EventWeights e;
    e.by_type.fill(w);
    return e;
  }
  double Of(EventType t) const { return by_type[static_cast<size_t>(t)]; }
};

struct IngestOptions {
  // The store's name of this source (Store cursors are per name), 1..
  // store::kMaxSourceLen bytes, e.g. "journal" or "journal:/var/log/journal/remote".
  std::string source_name = "journal";
  size_t max_entries = 256;                 // Per batch.
  std::chrono::milliseconds timeout{1000};  // How long Poll() may wait for entries.
};

struct IngestResult {
  size_t consumed = 0;  // Journal entries consumed (events + skipped).
  size_t stored = 0;    // Events committed.
  bool cursor_stored = false;
};

// Polls one batch from `source` and commits its events (weights from
// `weights`, time = the entry's realtime timestamp in ms, source =
// options.source_name) together with its cursor. A batch with no event but a
// new cursor (only skipped entries, or the tail start position) commits the
// cursor alone; a batch with neither commits nothing. If the commit fails the
// source is rewound (JournalSource::Rewind()), so the next call reads the
// same entries again, and the Store's Error is returned.
Result<IngestResult> IngestOnce(JournalSource& source, store::Store& store,
                                const EventWeights& weights, const IngestOptions& options);

// Opens a JournalSource positioned after the cursor `store` holds for
// `source_name` (per options.start_at when it holds none). Errors: the
// store's (reading the cursor; a stored cursor that is a file offset, i.e. a
// source name used for a log file) or JournalSource::Open()'s.
Result<JournalSource> OpenJournalFromStore(const JournalOptions& options, store::Store& store,
                                           const std::string& source_name);

}  // namespace sipguard::source
