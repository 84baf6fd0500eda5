// Fail2banClient and Fail2banBackend against a fake fail2ban-server: a Unix
// socket in a temporary directory answered by a thread with canned replies.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ban/ban_backend.h"
#include "ban/fail2ban_backend.h"
#include "ban/fail2ban_protocol.h"

namespace sipguard::ban {
namespace {

using namespace std::chrono_literals;

// pickle.dumps((0, 1), 5) and pickle.dumps((1, ValueError('not banned: x')), 5)
const std::string kOk1("\x80\x05\x95\x07\x00\x00\x00\x00\x00\x00\x00K\x00K\x01\x86\x94.", 18);
std::string FailureReply() {
  return std::string("\x80\x05\x95\x33\x00\x00\x00\x00\x00\x00\x00K\x01\x8c\x08", 15) + "builtins" +
         std::string("\x94\x8c\x0a", 3) + "ValueError" + std::string("\x94\x93\x94\x8c\x0d", 5) +
         "not banned: x" + std::string("\x94\x85\x94R\x94\x86\x94.", 8);
}

enum class Mode { kAnswer, kSilent, kFlood };

// One listening socket; serves up to `max_conns` connections, each: read one
// framed command, record it, answer per mode. Bounded: each accept waits at
// most 5 s.
class FakeServer {
 public:
  FakeServer(Mode mode, std::string reply, int max_conns = 1)
      : mode_(mode), reply_(std::move(reply)) {
    char tmpl[] = "/tmp/sipguard-ban-f2b.XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/fail2ban.sock";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path_.c_str(), path_.size());
    // NOLINTNEXTLINE: the sockaddr API
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this, max_conns] { Serve(max_conns); });
  }
  ~FakeServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
    std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }
  // Commands received (pickle + end marker), in order. Read after the calls.
  std::vector<std::string> received() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void Serve(int max_conns) {
    for (int i = 0; i < max_conns && !stop_; ++i) {
      pollfd p{fd_, POLLIN, 0};
      int waited = 0;
      while (!stop_ && waited < 5000 && ::poll(&p, 1, 50) == 0) waited += 50;
      if (stop_ || waited >= 5000) return;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string got;
      char buf[4096];
      while (got.find(fail2ban::kEndMarker) == std::string::npos && got.size() < 100000) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      received_.push_back(got);
      if (mode_ == Mode::kAnswer) {
        std::string r = reply_ + std::string(fail2ban::kEndMarker);
        (void)::send(c, r.data(), r.size(), MSG_NOSIGNAL);
      } else if (mode_ == Mode::kFlood) {
        std::string junk(8192, 'N');
        for (int k = 0; k < 20; ++k) (void)::send(c, junk.data(), junk.size(), MSG_NOSIGNAL);
      } else {
        // Silent: hold the connection until the client gives up.
        pollfd q{c, POLLIN, 0};
        for (int k = 0; k < 100 && !stop_; ++k) {
          if (::poll(&q, 1, 50) > 0) break;
        }
      }
      ::close(c);
    }
  }

  Mode mode_;
  std::string reply_;
  std::string dir_, path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::string> received_;
};

std::string Framed(std::vector<std::string> args) { return *fail2ban::EncodeCommand(args); }

TEST(Fail2banClient, SendsOneFramedCommandAndReadsTheAnswer) {
  FakeServer server(Mode::kAnswer, kOk1);
  Fail2banClient client(server.path(), 2000ms);
  std::vector<std::string> cmd = {"set", "sipguard-agent", "banip", "198.51.100.7"};
  Result<fail2ban::PickleValue> r = client.Call(cmd);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->integer, 1);
  std::vector<std::string> got = server.received();
  ASSERT_EQ(got.size(), 1u);
  // The command, then (after the answer) possibly the close marker.
  EXPECT_EQ(got[0].substr(0, Framed(cmd).size()), Framed(cmd));
}

TEST(Fail2banClient, FailureAnswerIsAnErrorNamingTheCommand) {
  FakeServer server(Mode::kAnswer, FailureReply());
  Fail2banClient client(server.path(), 2000ms);
  Result<fail2ban::PickleValue> r =
      client.Call(std::vector<std::string>{"set", "sipguard-agent", "unbanip", "198.51.100.7"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("set sipguard-agent unbanip 198.51.100.7"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("builtins.ValueError: not banned: x"), std::string::npos)
      << r.error().message();
}

TEST(Fail2banClient, RefusesMarkersBeforeConnecting) {
  Fail2banClient client("/nonexistent/sipguard-test.sock", 500ms);
  Result<fail2ban::PickleValue> r =
      client.Call(std::vector<std::string>{"set", "j", "banip", "1.2.3.4<F2B_END_COMMAND>"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("marker"), std::string::npos) << r.error().message();
}

TEST(Fail2banClient, DownServerIsAClearErrorNotAHang) {
  // No socket file.
  Fail2banClient none("/nonexistent/sipguard-test.sock", 500ms);
  Result<fail2ban::PickleValue> r = none.Call(std::vector<std::string>{"ping"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sys_errno(), ENOENT);
  EXPECT_NE(r.error().message().find("is fail2ban-server running"), std::string::npos)
      << r.error().message();

  // A stale socket file: nobody listens.
  char tmpl[] = "/tmp/sipguard-ban-stale.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/fail2ban.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size());
  // NOLINTNEXTLINE: the sockaddr API
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ::close(fd);
  Fail2banClient stale(path, 500ms);
  r = stale.Call(std::vector<std::string>{"ping"});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sys_errno(), ECONNREFUSED) << r.error().message();

  // A server that accepts and never answers: bounded by the timeout.
  FakeServer silent(Mode::kSilent, "");
  Fail2banClient slow(silent.path(), 300ms);
  auto t0 = std::chrono::steady_clock::now();
  r = slow.Call(std::vector<std::string>{"ping"});
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sys_errno(), ETIMEDOUT) << r.error().message();
  EXPECT_LT(took, 2s);
}

TEST(Fail2banClient, AnswerSizeIsBounded) {
  FakeServer flood(Mode::kFlood, "");
  Fail2banClient client(flood.path(), 3000ms);
  Result<fail2ban::PickleValue> r = client.Call(std::vector<std::string>{"ping"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("answer longer"), std::string::npos) << r.error().message();
}

TEST(Fail2banBackend, CommandsSentForStartBanUnbanFlush) {
  FakeServer server(Mode::kAnswer, kOk1, 6);
  Fail2banBackend b("sipguard-agent", server.path(), 2000ms);
  EXPECT_EQ(b.name(), "fail2ban:sipguard-agent");
  EXPECT_FALSE(b.expires_by_itself());
  ASSERT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), 60s).ok());  // not started
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("::ffff:198.51.100.7"), 60s).ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("2001:db8::7"), 60s).ok());
  ASSERT_TRUE(b.Ban(*Cidr::Parse("192.0.2.9"), 60s).ok());
  ASSERT_TRUE(b.Unban(*Cidr::Parse("192.0.2.9")).ok());
  ASSERT_TRUE(b.Flush().ok());
  EXPECT_TRUE(b.banned().empty());
  // Refused before anything is sent.
  Status net = b.Ban(*Cidr::Parse("198.51.100.0/24"), 60s);
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.error().message().find("single addresses"), std::string::npos);
  EXPECT_FALSE(b.Ban(*Cidr::Parse("127.0.0.1"), 60s).ok());
  EXPECT_FALSE(b.Ban(*Cidr::Parse("198.51.100.7"), 0s).ok());

  std::vector<std::string> got = server.received();
  std::vector<std::vector<std::string>> want = {
      {"get", "sipguard-agent", "bantime"},
      {"set", "sipguard-agent", "banip", "198.51.100.7"},
      {"set", "sipguard-agent", "banip", "2001:db8::7"},
      {"set", "sipguard-agent", "banip", "192.0.2.9"},
      {"set", "sipguard-agent", "unbanip", "192.0.2.9"},
      {"set", "sipguard-agent", "unbanip", "198.51.100.7", "2001:db8::7"},
  };
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].substr(0, Framed(want[i]).size()), Framed(want[i])) << i;
  }
}

TEST(Fail2banBackend, StartNamesTheJailWhenTheServerIsDown) {
  Fail2banBackend b("sipguard-agent", "/nonexistent/sipguard-test.sock", 500ms);
  Status s = b.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("fail2ban:sipguard-agent"), std::string::npos);
  EXPECT_NE(s.error().message().find("/nonexistent/sipguard-test.sock"), std::string::npos)
      << s.error().message();
}

}  // namespace
}  // namespace sipguard::ban
