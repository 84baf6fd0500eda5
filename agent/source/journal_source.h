// JournalSource: sipguard-agent's reader of sipguard-proxy events from the
// systemd journal (DESIGN.md, "Agent model").
//
//   auto src = JournalSource::Open(options, stored_cursor);
//   for (;;) {
//     auto batch = src->Poll(256, std::chrono::seconds(1));   // blocks in sd_journal_wait()
//     ... store batch->events and batch->cursor in ONE transaction (see ingest.h) ...
//     ... on a failed commit: src->Rewind() ...
//   }
//
// Which journal: the machine's local journal (SD_JOURNAL_LOCAL_ONLY), a
// directory (sd_journal_open_directory(), e.g. what systemd-journal-remote
// collects from many proxies) or a list of journal files.
//
// Which entries: only entries with a SIPGUARD_EVENT field of a known type are
// read (an sd_journal match), and each is checked in code against the
// TrustPolicy (trust.h) and then parsed with ParseEventFields(). An entry that
// is not trusted or does not parse is skipped and counted (Counters), never an
// error. With Options::prefilter_trusted the trust rules are also added to
// the journal match, so untrusted entries are not even read (cheaper under a
// flood of forgeries, but then they are not counted either); the per-entry
// check stays.
//
// Position. A cursor (sd_journal_get_cursor() text) names the last entry
// consumed. Opening with a cursor resumes exactly after that entry
// (sd_journal_seek_cursor(), then the entry it names is checked with
// sd_journal_test_cursor() and skipped). If that entry is gone (vacuumed,
// rotated away, or a cursor of another journal) reading restarts at the
// oldest entry and Counters::cursor_lost is incremented: events may be
// counted twice rather than lost. Without a cursor, reading starts at the
// tail (default: a new agent does not score history) or at the head
// (StartAt::kHead).
//
// Bounds: Poll() consumes at most max_entries entries; each field read is at
// most Options::data_threshold bytes (sd_journal_set_data_threshold(); longer
// values are cut and then fail parsing or are capped by ParseEventFields()).
//
// Ownership and thread-safety: a JournalSource owns its sd_journal handle and
// closes it when destroyed; it is movable, not copyable. It is not
// thread-safe, and (an sd-journal rule) not usable in a child after fork():
// open one per process, use it from one thread at a time.
//
// Failure: Open(), Poll() and Rewind() return an Error whose message names the
// journal (path) and the sd-journal call with its errno text, e.g.
// "journal directory /var/log/journal/remote: sd_journal_open_directory: No
// such file or directory", with Error::sys_errno() set. Nothing here throws or
// logs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "source/trust.h"

namespace sipguard::source {

struct JournalOptions {
  enum class Mode {
    kLocal,      // This machine's journal (system and user), SD_JOURNAL_LOCAL_ONLY.
    kDirectory,  // Every journal file in `directory` (--journal-dir).
    kFiles,      // Exactly `files` (--journal-file, repeatable).
  };
  enum class StartAt {
    kTail,  // Only entries written after Open() (default).
    kHead,  // Every entry still in the journal.
  };
  Mode mode = Mode::kLocal;
  std::string directory;           // kDirectory.
  std::vector<std::string> files;  // kFiles: at least one.
  TrustPolicy trust;
  // Also match the trust rules in sd-journal (see above). Default off, so that
  // forged entries are counted.
  bool prefilter_trusted = false;
  // Where to start when Open() gets no cursor.
  StartAt start_at = StartAt::kTail;
  // sd_journal_set_data_threshold(): the largest field value read, in bytes.
  size_t data_threshold = 4096;
};

// An event read from the journal.
struct JournalEvent {
  ParsedEvent event;
  int64_t realtime_usec = 0;  // The entry's wall-clock time (__REALTIME_TIMESTAMP).
  TrustVerdict trust = TrustVerdict::kUntrusted;  // Which rule accepted it.
};

struct PollResult {
  std::vector<JournalEvent> events;  // Trusted, parsed; in journal order.
  // The cursor to store with these events: the last entry consumed by this
  // Poll() (trusted or not), or, when nothing was consumed, the start position
  // if it has not been returned yet. nullopt: the position did not change.
  std::optional<std::string> cursor;
  size_t consumed = 0;  // Entries read (events plus skipped), <= max_entries.
};

// Monotonic counters since Open().
struct JournalCounters {
  uint64_t entries = 0;      // Entries consumed.
  uint64_t events = 0;       // Trusted entries that parsed: returned as events.
  uint64_t untrusted = 0;    // Skipped: TrustPolicy said kUntrusted (forged?).
  uint64_t unparsable = 0;   // Skipped: trusted, but ParseEventFields() failed.
  uint64_t cursor_lost = 0;  // A resume cursor's entry was gone; restarted at the head.
  uint64_t waits = 0;        // sd_journal_wait() calls.
};

class JournalSource {
 public:
  // Opens the journal, installs the match, takes the inotify fd (so nothing
  // written after Open() is missed) and positions: after `cursor` if given,
  // else per options.start_at. An empty or malformed cursor is treated like a
  // lost one (cursor_lost, start at the head). Errors: bad options (no files,
  // empty directory name, empty TrustPolicy), or sd-journal failures.
  static Result<JournalSource> Open(const JournalOptions& options,
                                    const std::optional<std::string>& cursor);

  JournalSource(JournalSource&&) noexcept;
  JournalSource& operator=(JournalSource&&) noexcept;
  ~JournalSource();

  // Reads up to max_entries (>= 1) entries. If none is available, waits in
  // sd_journal_wait() until one is or `timeout` has passed (0: do not wait),
  // then returns what it read; an empty result means the timeout passed. It
  // returns as soon as it has consumed at least one entry: it does not wait
  // to fill the batch. On an sd-journal error after some entries were
  // consumed, those are returned and the error comes with the next call.
  Result<PollResult> Poll(size_t max_entries, std::chrono::milliseconds timeout);

  // Moves back to where the last Poll() started (its predecessor's cursor),
  // so that its entries are read again: for a caller that could not commit
  // them. A second Rewind() without a Poll() in between is a no-op.
  Status Rewind();

  // A short description of what is read ("local journal", "journal
  // directory /x", "journal files /a /b"), as used in Error messages.
  const std::string& description() const;
  const JournalCounters& counters() const;

 private:
  struct State;
  explicit JournalSource(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace sipguard::source
