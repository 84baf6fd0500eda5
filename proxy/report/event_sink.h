// EventSink: where sipguard-proxy writes its offence events (the event
// contract of proxy/common/event.h).
//
//   journal  sd_journal_sendv() of JournalFields(): structured SIPGUARD_*
//            fields that sipguard-agent reads, and the MESSAGE line that
//            fail2ban's systemd backend matches.
//   stderr / a file
//            the same MESSAGE line, one per event, for fail2ban's file
//            backend where there is no journal:
//            "2026-11-24T10:00:00.123456+00:00 sipguard-proxy[PID]: <MESSAGE>\n"
//
// Write() never blocks on a full journal or a slow disk beyond one syscall
// and never throws; a failure comes back as an Error (journal socket gone,
// disk full) for the caller to count. Thread-safety: a sink may be shared by
// threads; each Write is one sendmsg/write, so lines never interleave.
#pragma once

#include <memory>
#include <string_view>

#include "common/event.h"
#include "common/result.h"

namespace sipguard {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status Write(const Event& event) = 0;
};

// The systemd journal of this machine.
std::unique_ptr<EventSink> MakeJournalSink();

// Lines to an already-open file descriptor (not owned; e.g. STDERR_FILENO).
std::unique_ptr<EventSink> MakeFdLineSink(int fd);

// Lines appended to `path` (created 0640 if missing; O_APPEND so writers and
// logrotate's copytruncate coexist). The Error names the path.
Result<std::unique_ptr<EventSink>> MakeFileLineSink(const std::string& path);

// The sink for --log-target: "journal", "stderr", or a file path (absolute,
// or relative to the working directory).
Result<std::unique_ptr<EventSink>> MakeEventSink(std::string_view target);

// The line a line sink writes for `event` at `unix_micros` (microseconds
// since the epoch), without the trailing newline; exposed for tests and for
// the fail2ban samples.
std::string FormatEventLine(const Event& event, int64_t unix_micros, int pid);

}  // namespace sipguard
