#include "source/journal_source.h"

#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <utility>

namespace sipguard::source {
namespace {

struct JournalCloser {
  void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

struct FreeCloser {
  void operator()(char* p) const { free(p); }  // NOLINT(cppcoreguidelines-no-malloc)
};

std::string ErrnoText(int negative_errno) {
  return std::error_code(-negative_errno, std::generic_category()).message();
}

std::string Describe(const JournalOptions& o) {
  switch (o.mode) {
    case JournalOptions::Mode::kLocal: return "local journal";
    case JournalOptions::Mode::kDirectory: return "journal directory " + o.directory;
    case JournalOptions::Mode::kFiles: {
      std::string d = "journal files";
      for (const std::string& f : o.files) d += " " + f;
      return d;
    }
  }
  return "journal";
}

// Value of `field` in the current entry, without "NAME=", or nullopt. The
// view points into sd-journal's buffer and is valid until its next call.
std::optional<std::string_view> GetField(sd_journal* j, std::string_view field) {
  // Field names are short constants here; build the C string on the stack.
  char name[64];
  if (field.size() >= sizeof(name)) return std::nullopt;
  field.copy(name, field.size());
  name[field.size()] = '\0';
  const void* data = nullptr;
  size_t len = 0;
  if (sd_journal_get_data(j, name, &data, &len) < 0) return std::nullopt;
  std::string_view v(static_cast<const char*>(data), len);
  if (v.size() <= field.size() || v[field.size()] != '=') return std::nullopt;
  return v.substr(field.size() + 1);
}

}  // namespace

struct JournalSource::State {
  JournalOptions options;
  std::string description;
  JournalPtr j;
  JournalCounters counters;
  // Cursor of the last entry consumed (or of the start position); nullopt:
  // before the first entry of the journal.
  std::optional<std::string> position;
  bool position_reported = true;
  // Where the last Poll() started, for Rewind().
  std::optional<std::string> poll_start;
  bool rewind_pending = false;
  // After seeking to a cursor: the first entry must be the one it names.
  std::optional<std::string> verify;
  std::optional<Error> deferred;

  Error Fail(const char* call, int r) const {
    return Error(description + ": " + call + ": " + ErrnoText(r), -r);
  }

  Status AddMatch(const std::string& m) {
    int r = sd_journal_add_match(j.get(), m.data(), m.size());
    if (r < 0) return Fail("sd_journal_add_match", r);
    return {};
  }

  Status InstallMatches() {
    // (SIPGUARD_EVENT = any known type) [AND (unit OR comm[+exe] OR uid)]
    for (EventType t : kAllEventTypes) {
      Status s = AddMatch("SIPGUARD_EVENT=" + std::string(ToString(t)));
      if (!s.ok()) return s;
    }
    if (!options.prefilter_trusted) return {};
    int r = sd_journal_add_conjunction(j.get());
    if (r < 0) return Fail("sd_journal_add_conjunction", r);
    const TrustPolicy& p = options.trust;
    bool first = true;
    auto next_term = [&]() -> Status {
      if (!first) {
        int rr = sd_journal_add_disjunction(j.get());
        if (rr < 0) return Fail("sd_journal_add_disjunction", rr);
      }
      first = false;
      return {};
    };
    if (!p.units.empty()) {
      if (Status s = next_term(); !s.ok()) return s;
      for (const std::string& u : p.units) {
        if (Status s = AddMatch("_SYSTEMD_UNIT=" + u); !s.ok()) return s;
      }
    }
    if (!p.comms.empty()) {
      if (Status s = next_term(); !s.ok()) return s;
      for (const std::string& c : p.comms) {
        if (Status s = AddMatch("_COMM=" + c.substr(0, kMaxCommLen)); !s.ok()) return s;
      }
      for (const std::string& e : p.exes) {
        if (Status s = AddMatch("_EXE=" + e); !s.ok()) return s;
      }
    }
    if (!p.uids.empty()) {
      if (Status s = next_term(); !s.ok()) return s;
      for (uint32_t u : p.uids) {
        if (Status s = AddMatch("_UID=" + std::to_string(u)); !s.ok()) return s;
      }
    }
    return {};
  }

  Status SeekHead() {
    int r = sd_journal_seek_head(j.get());
    if (r < 0) return Fail("sd_journal_seek_head", r);
    position.reset();
    verify.reset();
    return {};
  }

  // Positions after `cursor` (verified on the next entry), or at the head.
  Status SeekAfter(const std::optional<std::string>& cursor) {
    if (!cursor || cursor->empty()) return SeekHead();
    int r = sd_journal_seek_cursor(j.get(), cursor->c_str());
    if (r == -EINVAL) {  // Not a cursor at all: like a lost one.
      ++counters.cursor_lost;
      return SeekHead();
    }
    if (r < 0) return Fail("sd_journal_seek_cursor", r);
    position = cursor;
    verify = cursor;
    return {};
  }

  Status SeekStart() {
    if (options.start_at == JournalOptions::StartAt::kHead) return SeekHead();
    int r = sd_journal_seek_tail(j.get());
    if (r < 0) return Fail("sd_journal_seek_tail", r);
    r = sd_journal_previous(j.get());
    if (r < 0) return Fail("sd_journal_previous", r);
    if (r == 0) return SeekHead();  // Nothing yet: every entry will be new.
    char* c = nullptr;
    r = sd_journal_get_cursor(j.get(), &c);
    if (r < 0) return Fail("sd_journal_get_cursor", r);
    std::unique_ptr<char, FreeCloser> owned(c);
    position = std::string(c);
    position_reported = false;  // The first Poll() hands it out.
    return {};
  }

  // Counts the current entry and, if trusted and parsable, adds it to `out`.
  void Consume(PollResult* out) {
    ++counters.entries;
    ++out->consumed;
    sd_journal* jj = j.get();
    FieldLookup lookup = [jj](std::string_view f) { return GetField(jj, f); };
    TrustVerdict v = options.trust.Check(lookup);
    if (!IsTrusted(v)) {
      ++counters.untrusted;
      return;
    }
    Result<ParsedEvent> e = ParseEventFields(lookup);
    if (!e.ok()) {
      ++counters.unparsable;
      return;
    }
    uint64_t usec = 0;
    if (sd_journal_get_realtime_usec(jj, &usec) < 0) usec = 0;
    ++counters.events;
    out->events.push_back(JournalEvent{std::move(e).value(), static_cast<int64_t>(usec), v});
  }

  // One pass over the available entries; returns the sd-journal error, if any.
  Status ReadAvailable(size_t max_entries, PollResult* out) {
    while (out->consumed < max_entries) {
      int r = sd_journal_next(j.get());
      if (r < 0) return Fail("sd_journal_next", r);
      if (r == 0) return {};
      if (verify) {
        r = sd_journal_test_cursor(j.get(), verify->c_str());
        if (r < 0) return Fail("sd_journal_test_cursor", r);
        verify.reset();
        if (r > 0) continue;  // The entry consumed before: skip it.
        ++counters.cursor_lost;
        if (Status s = SeekHead(); !s.ok()) return s;
        continue;
      }
      Consume(out);
      char* c = nullptr;
      r = sd_journal_get_cursor(j.get(), &c);
      if (r < 0) return Fail("sd_journal_get_cursor", r);
      std::unique_ptr<char, FreeCloser> owned(c);
      position = std::string(c);
    }
    return {};
  }
};

JournalSource::JournalSource(std::unique_ptr<State> state) : s_(std::move(state)) {}
JournalSource::JournalSource(JournalSource&&) noexcept = default;
JournalSource& JournalSource::operator=(JournalSource&&) noexcept = default;
JournalSource::~JournalSource() = default;

Result<JournalSource> JournalSource::Open(const JournalOptions& options,
                                          const std::optional<std::string>& cursor) {
  auto s = std::make_unique<State>();
  s->options = options;
  s->description = Describe(options);
  if (options.trust.Empty()) {
    return Error(s->description + ": the trust policy accepts nothing (no units, comms or uids)");
  }
  if (options.data_threshold == 0) return Error(s->description + ": data threshold 0");
  sd_journal* raw = nullptr;
  int r = 0;
  switch (options.mode) {
    case JournalOptions::Mode::kLocal:
      r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY);
      if (r < 0) return s->Fail("sd_journal_open", r);
      break;
    case JournalOptions::Mode::kDirectory:
      if (options.directory.empty()) return Error("journal directory: empty path");
      r = sd_journal_open_directory(&raw, options.directory.c_str(), 0);
      if (r < 0) return s->Fail("sd_journal_open_directory", r);
      break;
    case JournalOptions::Mode::kFiles: {
      if (options.files.empty()) return Error("journal files: none given");
      std::vector<const char*> paths;
      paths.reserve(options.files.size() + 1);
      for (const std::string& f : options.files) paths.push_back(f.c_str());
      paths.push_back(nullptr);
      r = sd_journal_open_files(&raw, paths.data(), 0);
      if (r < 0) return s->Fail("sd_journal_open_files", r);
      break;
    }
  }
  s->j.reset(raw);
  r = sd_journal_set_data_threshold(raw, options.data_threshold);
  if (r < 0) return s->Fail("sd_journal_set_data_threshold", r);
  if (Status m = s->InstallMatches(); !m.ok()) return m.error();
  // Set up inotify now, so entries written between Open() and the first
  // sd_journal_wait() wake it.
  r = sd_journal_get_fd(raw);
  if (r < 0) return s->Fail("sd_journal_get_fd", r);
  Status pos = cursor ? s->SeekAfter(cursor) : s->SeekStart();
  if (!pos.ok()) return pos.error();
  return JournalSource(std::move(s));
}

Result<PollResult> JournalSource::Poll(size_t max_entries, std::chrono::milliseconds timeout) {
  State& s = *s_;
  if (s.deferred) {
    Error e = std::move(*s.deferred);
    s.deferred.reset();
    return e;
  }
  if (max_entries == 0) max_entries = 1;
  s.poll_start = s.position;
  s.rewind_pending = true;
  PollResult out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Status st = s.ReadAvailable(max_entries, &out);
    if (!st.ok()) {
      if (out.consumed == 0) return st.error();
      s.deferred = st.error();
      break;
    }
    if (out.consumed > 0) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
    ++s.counters.waits;
    int r = sd_journal_wait(s.j.get(), static_cast<uint64_t>(left.count()));
    if (r < 0) return s.Fail("sd_journal_wait", r);
  }
  if (out.consumed > 0 || !s.position_reported) {
    out.cursor = s.position;
    s.position_reported = true;
  }
  return out;
}

Status JournalSource::Rewind() {
  State& s = *s_;
  if (!s.rewind_pending) return {};
  s.rewind_pending = false;
  s.deferred.reset();
  // The start position of the failed Poll() may not have been stored either.
  s.position_reported = false;
  return s.SeekAfter(s.poll_start);
}

const std::string& JournalSource::description() const { return s_->description; }
const JournalCounters& JournalSource::counters() const { return s_->counters; }

}  // namespace sipguard::source
