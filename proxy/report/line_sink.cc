// EventSink writing one MESSAGE line per event to a file descriptor.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string>
#include <system_error>

#include "report/event_sink.h"

namespace sipguard {
namespace {

std::string ErrnoText(int e) { return std::error_code(e, std::generic_category()).message(); }

int64_t NowMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

class LineSink final : public EventSink {
 public:
  LineSink(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~LineSink() override {
    if (owned_) close(fd_);
  }
  LineSink(const LineSink&) = delete;
  LineSink& operator=(const LineSink&) = delete;

  Status Write(const Event& event) override {
    std::string line = FormatEventLine(event, NowMicros(), getpid());
    line += '\n';
    // One write() per line: concurrent writers and O_APPEND never split it.
    ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0) return Error(name_ + ": " + ErrnoText(errno), errno);
    if (static_cast<size_t>(n) != line.size()) {
      return Error(name_ + ": short write (disk full?)", ENOSPC);
    }
    return {};
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
};

}  // namespace

std::string FormatEventLine(const Event& event, int64_t unix_micros, int pid) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  tm utc{};
  gmtime_r(&secs, &utc);
  char stamp[64];
  (void)std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00",
                      utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                      utc.tm_sec, static_cast<long long>(unix_micros % 1000000));
  std::string message;
  FormatMessage(event, &message);
  return std::string(stamp) + " sipguard-proxy[" + std::to_string(pid) + "]: " + message;
}

std::unique_ptr<EventSink> MakeFdLineSink(int fd) {
  return std::make_unique<LineSink>(fd, false, "fd " + std::to_string(fd));
}

Result<std::unique_ptr<EventSink>> MakeFileLineSink(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error(path + ": " + ErrnoText(errno), errno);
  return std::unique_ptr<EventSink>(std::make_unique<LineSink>(fd, true, path));
}

Result<std::unique_ptr<EventSink>> MakeEventSink(std::string_view target) {
  if (target == "journal") return MakeJournalSink();
  if (target == "stderr") return MakeFdLineSink(STDERR_FILENO);
  if (target.empty()) {
    return Error("log target is empty: use journal, stderr or a file path");
  }
  return MakeFileLineSink(std::string(target));
}

}  // namespace sipguard
