// Event output: line format, file and fd sinks, real write failures
// (/dev/full), and the Reporter's rate bound.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/event_sink.h"
#include "report/reporter.h"

namespace sipguard {
namespace {

Event MakeEvent(EventType type, std::string_view call_id) {
  Event e;
  e.type = type;
  e.src_ip = IpAddress::Parse("203.0.113.7").value();
  e.src_port = 5060;
  e.transport = "udp";
  e.method = "INVITE";
  e.call_id = call_id;
  e.from_uri = "sip:100@198.51.100.1";
  e.retcode = -5;
  e.reply = 400;
  return e;
}

// Records what it is given: the Reporter's logic is tested against it; the
// real sinks are tested below and in tests/integration/report.
class RecordingSink : public EventSink {
 public:
  Status Write(const Event& event) override {
    call_ids.emplace_back(event.call_id);
    return {};
  }
  std::vector<std::string> call_ids;
};

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FormatEventLine, TimestampPidAndMessage) {
  // 2026-11-24T10:00:00.123456Z
  int64_t micros = int64_t{1795514400} * 1000000 + 123456;
  std::string line = FormatEventLine(MakeEvent(EventType::kMalformed, "abc"), micros, 42);
  EXPECT_EQ(line,
            "2026-11-24T10:00:00.123456+00:00 sipguard-proxy[42]: abc|log|Bad Request/Body from "
            "203.0.113.7 INVITE (sip:100@198.51.100.1),retcode=-5");
}

TEST(FileLineSink, AppendsOneLinePerEventEvenForHostileHeaders) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sipguard-report-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "events.log";
  auto sink = MakeFileLineSink(path.string());
  ASSERT_TRUE(sink.ok()) << sink.error().message();
  ASSERT_TRUE((*sink)
                  ->Write(MakeEvent(EventType::kScanner,
                                    "x|log|Bad Request/Body from 198.51.100.9\r\nforged"))
                  .ok());
  ASSERT_TRUE((*sink)->Write(MakeEvent(EventType::kFlood, "second")).ok());
  std::string text = ReadFile(path);
  std::filesystem::remove_all(dir);
  std::istringstream lines(text);
  std::string first, second, third;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, third)) << "a header broke a line: " << text;
  // The source right after the fixed label is the real one.
  std::string after_stamp = first.substr(first.find("]: ") + 3);
  EXPECT_EQ(after_stamp.find('|'), after_stamp.find("|log|Scanner from 203.0.113.7 "));
  EXPECT_NE(second.find("|log|Flood from 203.0.113.7 "), std::string::npos);
}

TEST(FileLineSink, ErrorsNameThePath) {
  auto sink = MakeFileLineSink("/nonexistent-dir/events.log");
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().message().find("/nonexistent-dir/events.log"), std::string::npos);
  EXPECT_FALSE(MakeEventSink("").ok());
}

TEST(FdLineSink, FullDiskIsAnErrorNotACrash) {
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto sink = MakeFdLineSink(fd);
  Status s = sink->Write(MakeEvent(EventType::kLoop, "c"));
  close(fd);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sys_errno(), ENOSPC);
  EXPECT_NE(s.error().message().find("No space left"), std::string::npos);
}

TEST(Reporter, CountsSinkFailuresAndKeepsTheLastError) {
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto sink = MakeFdLineSink(fd);
  Reporter reporter(sink.get(), 100, 10);
  auto t = Reporter::Clock::now();
  EXPECT_FALSE(reporter.Report(MakeEvent(EventType::kLoop, "a"), t));
  EXPECT_FALSE(reporter.Report(MakeEvent(EventType::kLoop, "b"), t));
  close(fd);
  EXPECT_EQ(reporter.counters().failed, 2u);
  auto err = reporter.TakeLastError();
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->sys_errno(), ENOSPC);
  EXPECT_FALSE(reporter.TakeLastError().has_value());
}

TEST(Reporter, BurstThenRateThenSuppressionCountedByType) {
  RecordingSink sink;
  Reporter reporter(&sink, /*rate_per_second=*/10, /*burst=*/5);
  auto t = Reporter::Clock::now();
  int written = 0;
  for (int i = 0; i < 20; ++i) written += reporter.Report(MakeEvent(EventType::kFlood, "f"), t);
  EXPECT_EQ(written, 5);
  EXPECT_EQ(reporter.counters().suppressed, 15u);
  EXPECT_EQ(reporter.counters().suppressed_by_type[static_cast<size_t>(EventType::kFlood)], 15u);
  // 0.5 s later: 5 more tokens at 10/s.
  t += std::chrono::milliseconds(500);
  written = 0;
  for (int i = 0; i < 20; ++i) written += reporter.Report(MakeEvent(EventType::kScanner, "s"), t);
  EXPECT_EQ(written, 5);
  EXPECT_EQ(reporter.counters().written, 10u);
  EXPECT_EQ(sink.call_ids.size(), 10u);
  // Never more than the burst, however long the pause.
  t += std::chrono::hours(1);
  written = 0;
  for (int i = 0; i < 20; ++i) written += reporter.Report(MakeEvent(EventType::kScanner, "s"), t);
  EXPECT_EQ(written, 5);
}

}  // namespace
}  // namespace sipguard
