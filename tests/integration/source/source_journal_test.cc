// sipguard_source against a real journald (started by run_source_test.sh if
// none runs). Events are written by the proxy's own JournalSink from this
// process, which names itself "sipguard-proxy" (prctl) before its first
// write, so journald records _COMM=sipguard-proxy and _EXE=this binary; the
// trust policy under test trusts exactly that. Forgeries come from python3.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "report/event_sink.h"
#include "source/ingest.h"
#include "source/journal_source.h"
#include "store/store.h"

namespace sipguard::source {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Before anything is written: journald reads /proc/PID/comm per sender.
const bool kNamed = [] {
  prctl(PR_SET_NAME, "sipguard-proxy", 0, 0, 0);
  return true;
}();

std::string SelfExe() { return fs::read_symlink("/proc/self/exe").string(); }

// Trusts this process, and nothing else.
JournalOptions Trusting(JournalOptions::StartAt start = JournalOptions::StartAt::kTail) {
  JournalOptions o;
  o.trust.units.clear();
  o.trust.comms = {"sipguard-proxy"};
  o.trust.exes = {SelfExe()};
  o.start_at = start;
  return o;
}

// A fresh marker per call, unique across runs.
std::string NewTag() {
  static int n = 0;
  return "t" + std::to_string(getpid()) + "-" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000007) + "-" +
         std::to_string(n++) + "-";
}

class Writer {
 public:
  Writer() : sink_(MakeJournalSink()) {}
  // Writes one scanner event whose Call-ID and From URI are `marker`.
  void Write(const std::string& marker, const char* ip = "2001:db8::5") {
    ASSERT_TRUE(kNamed);
    Event e;
    e.type = EventType::kScanner;
    e.src_ip = IpAddress::Parse(ip).value();
    e.src_port = 5070;
    e.transport = "udp";
    e.method = "OPTIONS";
    e.call_id = marker;
    e.from_uri = marker;
    e.user_agent = "friendly-scanner";
    Status s = sink_->Write(e);
    ASSERT_TRUE(s.ok()) << s.error().message();
  }

 private:
  std::unique_ptr<EventSink> sink_;
};

// Polls until every marker in `want` was seen or 10 s passed; returns the
// count of each event whose call_id starts with `tag`.
std::map<std::string, int> ReadUntil(JournalSource& src, const std::string& tag,
                                     const std::set<std::string>& want, size_t max_entries = 64,
                                     std::optional<std::string>* cursor = nullptr) {
  std::map<std::string, int> seen;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  auto all_seen = [&] {
    for (const std::string& w : want)
      if (seen.count(w) == 0) return false;
    return true;
  };
  while (!all_seen() && Clock::now() < deadline) {
    Result<PollResult> p = src.Poll(max_entries, milliseconds(200));
    EXPECT_TRUE(p.ok()) << p.error().message();
    if (!p.ok()) break;
    if (cursor != nullptr && p->cursor) *cursor = p->cursor;
    for (const JournalEvent& e : p->events)
      if (e.event.call_id.rfind(tag, 0) == 0) ++seen[e.event.call_id];
  }
  return seen;
}

std::set<std::string> Markers(const std::string& tag, int from, int to) {
  std::set<std::string> s;
  for (int i = from; i < to; ++i) s.insert(tag + std::to_string(i));
  return s;
}

// Runs /usr/bin/python3 with `script` (python3-systemd), waiting for it.
void Python(const std::string& script) {
  const std::string path =
      fs::temp_directory_path() / ("forge-" + std::to_string(getpid()) + ".py");
  {
    std::ofstream f(path);
    f << script;
  }
  const std::string cmd = "/usr/bin/python3 " + path;
  int rc = std::system(cmd.c_str());  // NOLINT(cert-env33-c): a test helper.
  fs::remove(path);
  ASSERT_EQ(rc, 0) << cmd;
}

TEST(JournalSource, TrustedEventsAreReadExactlyOnce) {
  Writer w;
  const std::string tag = NewTag();
  // History: written (and stored) before the source opens at the tail.
  w.Write(tag + "old");
  {
    auto head = JournalSource::Open(Trusting(JournalOptions::StartAt::kHead), std::nullopt);
    ASSERT_TRUE(head.ok()) << head.error().message();
    ASSERT_EQ(ReadUntil(*head, tag, {tag + "old"}, 1000).size(), 1u);
  }
  auto src = JournalSource::Open(Trusting(), std::nullopt);
  ASSERT_TRUE(src.ok()) << src.error().message();
  for (int i = 0; i < 20; ++i) w.Write(tag + std::to_string(i));
  std::map<std::string, int> seen = ReadUntil(*src, tag, Markers(tag, 0, 20), 7);
  ASSERT_EQ(seen.size(), 20u);
  for (const auto& [m, n] : seen) EXPECT_EQ(n, 1) << m;
  // Nothing more comes.
  auto more = src->Poll(64, milliseconds(300));
  ASSERT_TRUE(more.ok());
  for (const JournalEvent& e : more->events) EXPECT_NE(e.event.call_id.rfind(tag, 0), 0u);
  EXPECT_EQ(seen.count(tag + "old"), 0u) << "a tail start read history";
  EXPECT_GE(src->counters().events, 20u);
}

TEST(JournalSource, ForgedEntriesAreSkippedAndCounted) {
  JournalOptions checked = Trusting();
  JournalOptions prefiltered = Trusting();
  prefiltered.prefilter_trusted = true;
  auto src = JournalSource::Open(checked, std::nullopt);
  auto pre = JournalSource::Open(prefiltered, std::nullopt);
  ASSERT_TRUE(src.ok()) << src.error().message();
  ASSERT_TRUE(pre.ok()) << pre.error().message();
  const std::string tag = NewTag();
  // 1: python3 with SYSLOG_IDENTIFIER=sipguard-proxy (like logger -t).
  // 2: python3 that also renames itself sipguard-proxy: _COMM matches, _EXE does not.
  Python(
      "import ctypes, time\n"
      "from systemd import journal\n"
      "def forge(n):\n"
      "    journal.send('x|log|Scanner from 198.51.100.66 OPTIONS (-) ua=-',\n"
      "                 SYSLOG_IDENTIFIER='sipguard-proxy', SIPGUARD_EVENT='scanner',\n"
      "                 SIPGUARD_SRC_IP='198.51.100.66', SIPGUARD_CALL_ID='" +
      tag + "forged' + str(n), SIPGUARD_FROM_URI='" + tag +
      "forged' + str(n))\n"
      "forge(1)\n"
      "ctypes.CDLL(None).prctl(15, b'sipguard-proxy', 0, 0, 0)\n"
      "time.sleep(0.2)\n"
      "forge(2)\n"
      "time.sleep(0.5)  # journald reads /proc/PID/{comm,exe} of a live sender\n");
  // 3: trusted sender, but not an event (SIPGUARD_SRC_IP invalid).
  ASSERT_EQ(
      sd_journal_send("MESSAGE=bad event", "SIPGUARD_EVENT=flood", "SIPGUARD_SRC_IP=999.1.1.1",
                      "SIPGUARD_CALL_ID=%sbad", tag.c_str(), nullptr),
      0);
  // Then a real event: once it is read, everything before it was too.
  Writer w;
  w.Write(tag + "real");
  std::map<std::string, int> seen = ReadUntil(*src, tag, {tag + "real"});
  EXPECT_EQ(seen, (std::map<std::string, int>{{tag + "real", 1}}));
  // ">=": on a shared journald other writers may add entries of their own.
  EXPECT_GE(src->counters().untrusted, 2u);
  EXPECT_GE(src->counters().unparsable, 1u);
  // Prefiltered in sd-journal: the forgeries are never even read.
  seen = ReadUntil(*pre, tag, {tag + "real"});
  EXPECT_EQ(seen, (std::map<std::string, int>{{tag + "real", 1}}));
  EXPECT_EQ(pre->counters().untrusted, 0u);
  EXPECT_GE(pre->counters().unparsable, 1u);
}

TEST(JournalSource, ResumeFromCursorHasNoDuplicatesAndNoGaps) {
  constexpr int kN = 6, kK = 2, kM = 4;
  const std::string tag = NewTag();
  Writer w;
  std::optional<std::string> cursor;
  {
    auto a = JournalSource::Open(Trusting(), std::nullopt);
    ASSERT_TRUE(a.ok()) << a.error().message();
    for (int i = 0; i < kN; ++i) w.Write(tag + std::to_string(i));
    // Consume exactly K entries, one per Poll().
    std::map<std::string, int> seen = ReadUntil(*a, tag, Markers(tag, 0, kK), 1, &cursor);
    ASSERT_EQ(seen.size(), static_cast<size_t>(kK));
    ASSERT_TRUE(cursor.has_value());
  }  // "Restart".
  for (int i = kN; i < kN + kM; ++i) w.Write(tag + std::to_string(i));
  auto b = JournalSource::Open(Trusting(), cursor);
  ASSERT_TRUE(b.ok()) << b.error().message();
  std::map<std::string, int> seen = ReadUntil(*b, tag, Markers(tag, kK, kN + kM));
  auto more = b->Poll(64, milliseconds(300));
  ASSERT_TRUE(more.ok());
  for (const JournalEvent& e : more->events)
    if (e.event.call_id.rfind(tag, 0) == 0) ++seen[e.event.call_id];
  EXPECT_EQ(seen.size(), static_cast<size_t>(kN - kK + kM));
  for (const auto& [m, n] : seen) EXPECT_EQ(n, 1) << m;
  for (const std::string& m : Markers(tag, 0, kK)) EXPECT_EQ(seen.count(m), 0u) << m;
  EXPECT_EQ(b->counters().cursor_lost, 0u);
}

TEST(JournalSource, LostOrMalformedCursorRestartsAtTheOldestEntry) {
  const std::string tag = NewTag();
  Writer w;
  w.Write(tag + "0");
  {  // Make sure it is stored before looking for it from the head.
    auto t = JournalSource::Open(Trusting(JournalOptions::StartAt::kHead), std::nullopt);
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(ReadUntil(*t, tag, {tag + "0"}).size(), 1u);
  }
  // A well-formed cursor of an entry this journal does not have (vacuumed).
  const std::string gone =
      "s=0123456789abcdef0123456789abcdef;i=1;b=0123456789abcdef0123456789abcdef;"
      "m=1;t=1;x=1";
  for (const std::string& c : {gone, std::string("not a cursor")}) {
    auto src = JournalSource::Open(Trusting(), c);
    ASSERT_TRUE(src.ok()) << src.error().message();
    std::map<std::string, int> seen = ReadUntil(*src, tag, {tag + "0"}, 1000);
    EXPECT_EQ(seen[tag + "0"], 1) << c;
    EXPECT_EQ(src->counters().cursor_lost, 1u) << c;
  }
}

TEST(JournalSource, PollWakesOnANewEventAndTimesOutOtherwise) {
  auto src = JournalSource::Open(Trusting(), std::nullopt);
  ASSERT_TRUE(src.ok()) << src.error().message();
  // Drain whatever is there, then nothing comes: Poll() returns after its timeout.
  while (src->Poll(1000, milliseconds(0))->consumed > 0) {
  }
  auto t0 = Clock::now();
  auto idle = src->Poll(64, milliseconds(300));
  ASSERT_TRUE(idle.ok());
  auto idle_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  EXPECT_EQ(idle->consumed, 0u);
  EXPECT_GE(idle_ms, 250);
  EXPECT_LT(idle_ms, 5000);
  // An event written while Poll() waits wakes it (inotify), long before its timeout.
  const std::string tag = NewTag();
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(300));
    Writer w;
    w.Write(tag + "wake");
  });
  const uint64_t waits = src->counters().waits;
  t0 = Clock::now();
  auto woke = src->Poll(64, std::chrono::seconds(20));
  auto woke_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  writer.join();
  ASSERT_TRUE(woke.ok()) << woke.error().message();
  ASSERT_EQ(woke->events.size(), 1u);
  EXPECT_EQ(woke->events[0].event.call_id, tag + "wake");
  EXPECT_GT(src->counters().waits, waits);
  EXPECT_LT(woke_ms, 5000) << "sd_journal_wait() did not wake on the new entry";
}

// The directory journald stores into (volatile or persistent).
std::optional<fs::path> JournalDir() {
  std::ifstream f("/etc/machine-id");
  std::string id;
  f >> id;
  for (const char* base : {"/run/log/journal/", "/var/log/journal/"}) {
    fs::path p = fs::path(base) / id;
    if (fs::is_directory(p) && fs::exists(p / "system.journal")) return p;
  }
  return std::nullopt;
}

TEST(JournalSource, ReadsADirectoryAndFilesByPath) {
  const std::string tag = NewTag();
  Writer w;
  for (int i = 0; i < 3; ++i) w.Write(tag + std::to_string(i));
  {  // Stored?
    auto t = JournalSource::Open(Trusting(JournalOptions::StartAt::kHead), std::nullopt);
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(ReadUntil(*t, tag, Markers(tag, 0, 3), 1000).size(), 3u);
  }
  std::optional<fs::path> dir = JournalDir();
  ASSERT_TRUE(dir.has_value()) << "no journal directory with system.journal";

  JournalOptions d = Trusting(JournalOptions::StartAt::kHead);
  d.mode = JournalOptions::Mode::kDirectory;
  d.directory = dir->string();
  auto by_dir = JournalSource::Open(d, std::nullopt);
  ASSERT_TRUE(by_dir.ok()) << by_dir.error().message();
  std::map<std::string, int> seen = ReadUntil(*by_dir, tag, Markers(tag, 0, 3), 1000);
  EXPECT_EQ(seen.size(), 3u);
  for (const auto& [m, n] : seen) EXPECT_EQ(n, 1) << m;

  JournalOptions f = Trusting(JournalOptions::StartAt::kHead);
  f.mode = JournalOptions::Mode::kFiles;
  for (const auto& e : fs::directory_iterator(*dir))
    if (e.path().extension() == ".journal") f.files.push_back(e.path().string());
  auto by_files = JournalSource::Open(f, std::nullopt);
  ASSERT_TRUE(by_files.ok()) << by_files.error().message();
  seen = ReadUntil(*by_files, tag, Markers(tag, 0, 3), 1000);
  EXPECT_EQ(seen.size(), 3u);
  for (const auto& [m, n] : seen) EXPECT_EQ(n, 1) << m;
  EXPECT_NE(by_files->description().find("system.journal"), std::string::npos);

  // Errors name the path and carry the errno.
  d.directory = "/nonexistent/sipguard-journal";
  auto bad_dir = JournalSource::Open(d, std::nullopt);
  ASSERT_FALSE(bad_dir.ok());
  EXPECT_NE(bad_dir.error().message().find("/nonexistent/sipguard-journal"), std::string::npos)
      << bad_dir.error().message();
  EXPECT_NE(bad_dir.error().sys_errno(), 0);
  f.files = {"/nonexistent/x.journal"};
  auto bad_file = JournalSource::Open(f, std::nullopt);
  ASSERT_FALSE(bad_file.ok());
  EXPECT_NE(bad_file.error().message().find("/nonexistent/x.journal"), std::string::npos)
      << bad_file.error().message();
  JournalOptions none = Trusting();
  none.trust = TrustPolicy{{}, {}, {}, {}};
  EXPECT_FALSE(JournalSource::Open(none, std::nullopt).ok());
}

// --- IngestOnce into a real store, killed with SIGKILL ----------------------

constexpr const char* kSourceName = "journal";
constexpr const char* kKillIp = "203.0.113.77";

[[noreturn]] void RunIngester(const std::string& db, unsigned seed) {
  auto st = store::Store::Open(db, store::Store::Options{});
  if (!st.ok()) _exit(2);
  auto src = OpenJournalFromStore(Trusting(JournalOptions::StartAt::kHead), *st, kSourceName);
  if (!src.ok()) _exit(3);
  std::mt19937 rng(seed);
  IngestOptions o;
  o.source_name = kSourceName;
  o.timeout = milliseconds(100);
  for (;;) {
    o.max_entries = 1 + rng() % 4;
    if (!IngestOnce(*src, *st, EventWeights::Uniform(1.0), o).ok()) _exit(4);
  }
}

TEST(IngestOnce, KillNineNeitherLosesNorDoubleCounts) {
  const fs::path dir = fs::temp_directory_path() / ("ingest-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / "state.db").string();
  const std::string tag = NewTag();
  Writer w;
  std::mt19937 rng(std::random_device{}());
  // Each round writes a backlog, starts an ingester and kills it a few ms
  // later, mostly while it is committing batches of 1..4 events.
  constexpr int kKills = 30, kPerRound = 30;
  int written = 0, signaled = 0;
  for (int k = 0; k < kKills; ++k) {
    for (int i = 0; i < kPerRound; ++i) w.Write(tag + std::to_string(written++), kKillIp);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) RunIngester(db, static_cast<unsigned>(rng()));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "ingester exited early, status " << status;
    ++signaled;
  }
  EXPECT_EQ(signaled, kKills);
  // The last restart, in this process: ingest until all are in (or 15 s).
  auto st = store::Store::Open(db, store::Store::Options{});
  ASSERT_TRUE(st.ok()) << st.error().message();
  auto src = OpenJournalFromStore(Trusting(JournalOptions::StartAt::kHead), *st, kSourceName);
  ASSERT_TRUE(src.ok()) << src.error().message();
  const IpAddress ip = IpAddress::Parse(kKillIp).value();
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  IngestOptions o;
  o.source_name = kSourceName;
  o.timeout = milliseconds(200);
  int64_t total = 0;
  while (Clock::now() < deadline) {
    auto r = IngestOnce(*src, *st, EventWeights::Uniform(1.0), o);
    ASSERT_TRUE(r.ok()) << r.error().message();
    auto off = st->GetOffender(ip);
    ASSERT_TRUE(off.ok());
    total = off->has_value() ? (*off)->total_events : 0;
    if (total >= written && r->consumed == 0) break;
  }
  EXPECT_EQ(total, written) << "offender counter: events lost or double-counted";
  store::EventFilter f;
  f.ip = ip;
  f.limit = 100000;
  auto events = st->RecentEvents(f);
  ASSERT_TRUE(events.ok()) << events.error().message();
  std::map<std::string, int> n;
  for (const store::EventRecord& e : *events) ++n[e.call_id];
  EXPECT_EQ(n.size(), static_cast<size_t>(written));
  for (int i = 0; i < written; ++i) EXPECT_EQ(n[tag + std::to_string(i)], 1) << i;
  auto cur = st->GetCursor(kSourceName);
  ASSERT_TRUE(cur.ok());
  EXPECT_TRUE(cur->has_value());
  EXPECT_EQ(src->counters().cursor_lost, 0u);
  fs::remove_all(dir);
}

TEST(IngestOnce, AFailedCommitRewindsSoNothingIsLost) {
  const fs::path dir = fs::temp_directory_path() / ("rewind-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / "state.db").string();
  auto rw = store::Store::Open(db, store::Store::Options{});
  ASSERT_TRUE(rw.ok()) << rw.error().message();
  store::Store::Options ro_opts;
  ro_opts.read_only = true;
  auto ro = store::Store::Open(db, ro_opts);  // Every ApplyBatch() fails.
  ASSERT_TRUE(ro.ok()) << ro.error().message();
  auto src = JournalSource::Open(Trusting(), std::nullopt);
  ASSERT_TRUE(src.ok()) << src.error().message();
  const std::string tag = NewTag();
  Writer w;
  for (int i = 0; i < 5; ++i) w.Write(tag + std::to_string(i), "203.0.113.78");
  IngestOptions o;
  o.timeout = milliseconds(500);
  // Fails until it has consumed something (the first poll may only see the tail position).
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  bool failed = false;
  while (!failed && Clock::now() < deadline) {
    auto r = IngestOnce(*src, *ro, EventWeights::Uniform(2.0), o);
    failed = !r.ok();
  }
  ASSERT_TRUE(failed);
  int64_t total = 0;
  while (total < 5 && Clock::now() < deadline) {
    auto r = IngestOnce(*src, *rw, EventWeights::Uniform(2.0), o);
    ASSERT_TRUE(r.ok()) << r.error().message();
    auto off = rw->GetOffender(IpAddress::Parse("203.0.113.78").value());
    ASSERT_TRUE(off.ok());
    total = off->has_value() ? (*off)->total_events : 0;
  }
  EXPECT_EQ(total, 5);
  auto off = rw->GetOffender(IpAddress::Parse("203.0.113.78").value());
  ASSERT_TRUE(off.ok() && off->has_value());
  EXPECT_GT((*off)->score, 9.0);  // 5 x 2.0, barely decayed.
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sipguard::source
