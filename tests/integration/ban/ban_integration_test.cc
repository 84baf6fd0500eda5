// Real-parts tests of sipguard_ban (see CMakeLists.txt). Every wait is
// bounded; namespaces and processes this test made are removed on every exit
// path the process survives (fixture TearDown, destructors), and stale
// namespaces of a killed earlier run are removed at start.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ban/ban_backend.h"
#include "ban/fail2ban_backend.h"
#include "ban/nftables_backend.h"
#include "lib/strict.h"
#include "netns.h"

namespace sipguard::ban {
namespace {

using namespace std::chrono_literals;
using sipguard::testing::NetNs;
using sipguard::testing::RunCommand;
using Clock = std::chrono::steady_clock;

constexpr uint16_t kSipPort = 5060;

Cidr C(const char* text) {
  Result<Cidr> c = Cidr::Parse(text);
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? *c : Cidr();
}

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// A UDP socket bound to ip:port (port 0: any), connected to `peer` when given.
Socket Udp(const char* ip, uint16_t port, const char* peer = nullptr) {
  IpAddress a = *IpAddress::Parse(ip);
  int fd = ::socket(a.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Socket();
  int one = 1;
  if (a.is_v6()) (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_storage ss{};
  socklen_t len = a.ToSockaddr(port, &ss);
  // NOLINTNEXTLINE: the sockaddr API
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    ::close(fd);
    return Socket();
  }
  if (peer != nullptr) {
    IpAddress p = *IpAddress::Parse(peer);
    len = p.ToSockaddr(kSipPort, &ss);
    // NOLINTNEXTLINE: the sockaddr API
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      ::close(fd);
      return Socket();
    }
  }
  return Socket(fd);
}

bool WaitReadable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

void Drain(int fd) {
  char buf[2048];
  for (int i = 0; i < 100 && ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; ++i) {
  }
}

// One SIP-like request from `client` to the UDP responder `server` (in the
// server namespace), answered by it: true if the client got the answer.
// *server_saw tells whether the request reached the server socket at all.
bool Exchange(const Socket& client, const Socket& server, bool* server_saw = nullptr,
              int wait_ms = 1000) {
  Drain(client.get());
  Drain(server.get());
  static int seq = 0;
  std::string req = "OPTIONS sip:probe@192.0.2.1 SIP/2.0\r\nCall-ID: sgban-" +
                    std::to_string(++seq) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  if (::send(client.get(), req.data(), req.size(), 0) < 0) return false;
  bool saw = false;
  if (WaitReadable(server.get(), wait_ms)) {
    char buf[2048];
    sockaddr_storage peer{};
    socklen_t plen = sizeof(peer);
    // NOLINTNEXTLINE: the sockaddr API
    ssize_t n =
        ::recvfrom(server.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&peer), &plen);
    if (n > 0) {
      saw = true;
      static const char kOk[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
      // NOLINTNEXTLINE: the sockaddr API
      (void)::sendto(server.get(), kOk, sizeof(kOk) - 1, 0, reinterpret_cast<sockaddr*>(&peer),
                     plen);
    }
  }
  if (server_saw != nullptr) *server_saw = saw;
  if (!saw) return false;
  if (!WaitReadable(client.get(), wait_ms)) return false;
  char buf[2048];
  return ::recv(client.get(), buf, sizeof(buf), 0) > 0;
}

// True if a request from `client` neither reached `server` nor got an answer
// (waits 300 ms: a dropped packet shows itself only by absence).
bool Blocked(const Socket& client, const Socket& server) {
  bool saw = false;
  bool answered = Exchange(client, server, &saw, 300);
  return !answered && !saw;
}

// True if `client` gets an answer; up to 3 tries, as the first datagram to a
// new neighbour may wait for IPv6 neighbour discovery. (Only positive
// expectations use it: a retry cannot hide a ban.)
bool Answered(const Socket& client, const Socket& server) {
  for (int i = 0; i < 3; ++i) {
    if (Exchange(client, server)) return true;
  }
  return false;
}

bool IsRoot() { return ::geteuid() == 0; }

// ---------------------------------------------------------------------------
// The host's ruleset (read-only, in the host namespace) before and after.
class HostRulesetGuard : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!IsRoot()) return;
    sipguard::testing::RemoveStaleNamespaces();
    before_rc_ = RunCommand({"nft", "list", "ruleset"}, &before_, 10000);
  }
  void TearDown() override {
    if (!IsRoot() || before_rc_ != 0) return;
    sipguard::testing::EnterHostNs();
    std::string after;
    ASSERT_EQ(RunCommand({"nft", "list", "ruleset"}, &after, 10000), 0);
    EXPECT_EQ(before_, after) << "the host's own nftables ruleset changed during the test";
  }

 private:
  std::string before_;
  int before_rc_ = -1;
};

// ---------------------------------------------------------------------------
// server namespace S (192.0.2.1, 2001:db8::1; a typical host firewall with
// `ct state established accept` first) <-veth-> attacker namespace A
// (192.0.2.7 and .8, 2001:db8::7 and ::8).
class NftablesNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    SIPGUARD_REQUIRE(IsRoot(), "root (network namespaces, nftables)");
    SIPGUARD_REQUIRE(sipguard::testing::HaveCommand("ip") && sipguard::testing::HaveCommand("nft"),
                     "commands ip and nft (packages iproute2, nftables)");
    srv_ = std::make_unique<NetNs>("srv");
    atk_ = std::make_unique<NetNs>("atk");
    SIPGUARD_REQUIRE(srv_->ok() && atk_->ok(), "network namespaces (ip netns add)");
    const std::string& s = srv_->name();
    const std::string& a = atk_->name();
    // No duplicate address detection: link-local addresses are usable at once.
    for (const NetNs* ns : {srv_.get(), atk_.get()}) {
      ASSERT_EQ(ns->Exec({"sh", "-c",
                          "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad && "
                          "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad"}),
                0);
    }
    bool ok = RunCommand({"ip", "link", "add", "sgb0", "netns", s, "type", "veth", "peer", "name",
                          "sgb1", "netns", a}) == 0;
    SIPGUARD_REQUIRE(ok, "veth pairs in network namespaces (kernel module veth)");
    const std::vector<std::vector<std::string>> setup = {
        {"ip", "-n", s, "addr", "add", "192.0.2.1/24", "dev", "sgb0"},
        {"ip", "-n", s, "addr", "add", "2001:db8::1/64", "dev", "sgb0", "nodad"},
        {"ip", "-n", a, "addr", "add", "192.0.2.7/24", "dev", "sgb1"},
        {"ip", "-n", a, "addr", "add", "192.0.2.8/24", "dev", "sgb1"},
        {"ip", "-n", a, "addr", "add", "2001:db8::7/64", "dev", "sgb1", "nodad"},
        {"ip", "-n", a, "addr", "add", "2001:db8::8/64", "dev", "sgb1", "nodad"},
        {"ip", "-n", s, "link", "set", "sgb0", "up"},
        {"ip", "-n", a, "link", "set", "sgb1", "up"},
    };
    for (const auto& cmd : setup) ASSERT_EQ(RunCommand(cmd), 0) << cmd[4] << " " << cmd[5];
    // The server's own firewall, as many hosts have it: established flows
    // are accepted first (fail2ban #3652's trap), SIP allowed, rest dropped.
    std::string err;
    int rc = srv_->Exec(
        {"nft",
         "add table inet userfw; "
         "add counter inet userfw established; "
         "add chain inet userfw input { type filter hook input priority 0; policy drop; }; "
         "add rule inet userfw input ct state established,related counter name established "
         "accept; "
         "add rule inet userfw input meta l4proto { icmp, ipv6-icmp } accept; "
         "add rule inet userfw input udp dport 5060 accept"},
        &err);
    SIPGUARD_REQUIRE(rc == 0, "nftables in a network namespace: " + err);

    ASSERT_TRUE(atk_->Enter());
    c7_ = Udp("192.0.2.7", 0, "192.0.2.1");
    c8_ = Udp("192.0.2.8", 0, "192.0.2.1");
    c7v6_ = Udp("2001:db8::7", 0, "2001:db8::1");
    c8v6_ = Udp("2001:db8::8", 0, "2001:db8::1");
    ASSERT_TRUE(srv_->Enter());
    server_ = Udp("0.0.0.0", kSipPort);
    server6_ = Udp("::", kSipPort);
    for (const Socket* sk : {&c7_, &c8_, &c7v6_, &c8v6_, &server_, &server6_}) {
      ASSERT_GE(sk->get(), 0);
    }
    // The backend is started in the server namespace (its netlink socket
    // lives there from now on).
    // Warm up: every path works (and every neighbour is resolved) before the test.
    ASSERT_TRUE(Answered(c7_, server_) && Answered(c8_, server_) && Answered(c7v6_, server6_) &&
                Answered(c8v6_, server6_))
        << "no UDP path between the namespaces";
    Status st = backend_.Start();
    ASSERT_TRUE(st.ok()) << st.error().message();
    ASSERT_TRUE(sipguard::testing::EnterHostNs());
  }

  void TearDown() override {
    (void)backend_.Stop();
    sipguard::testing::EnterHostNs();
    atk_.reset();
    srv_.reset();
  }

  // `nft -j list set inet sipguard SET` in the server namespace.
  std::string ListSet(std::string_view set) {
    std::string out;
    EXPECT_EQ(srv_->Exec({"nft", "-j", "list", "set", "inet", "sipguard", std::string(set)}, &out),
              0)
        << out;
    return out;
  }
  static bool HasElem(const std::string& json, const std::string& addr) {
    return json.find("\"val\": \"" + addr + "\"") != std::string::npos;
  }
  static bool HasPrefix(const std::string& json, const std::string& addr, int len) {
    return json.find("{\"addr\": \"" + addr + "\", \"len\": " + std::to_string(len) + "}") !=
           std::string::npos;
  }
  int64_t EstablishedPackets() {
    std::string out;
    srv_->Exec({"nft", "-j", "list", "counter", "inet", "userfw", "established"}, &out);
    size_t p = out.find("\"packets\": ");
    return p == std::string::npos ? -1 : std::strtoll(out.c_str() + p + 11, nullptr, 10);
  }

  std::unique_ptr<NetNs> srv_, atk_;
  Socket c7_, c8_, c7v6_, c8v6_, server_, server6_;
  NftablesBackend backend_;
};

TEST_F(NftablesNetns, BanStopsAnEstablishedIpv4FlowOnly) {
  ASSERT_TRUE(Answered(c7_, server_));
  ASSERT_TRUE(Answered(c7_, server_));
  ASSERT_TRUE(Answered(c8_, server_));
  // The attacker's flow is established: the user firewall accepted its
  // second request through `ct state established`.
  ASSERT_GT(EstablishedPackets(), 0);

  // As a dual-stack socket reports it: the IPv4-mapped form IS the address.
  Status s = backend_.Ban(C("::ffff:192.0.2.7"), 60s);
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::string set = ListSet("ban4");
  EXPECT_TRUE(HasElem(set, "192.0.2.7")) << set;
  EXPECT_FALSE(HasElem(set, "192.0.2.8")) << set;
  EXPECT_EQ(ListSet("ban6").find("192.0.2.7"), std::string::npos);

  EXPECT_TRUE(Blocked(c7_, server_)) << "a banned source's packet reached the server";
  EXPECT_TRUE(Answered(c8_, server_)) << "another address lost service";

  s = backend_.Unban(C("192.0.2.7"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_FALSE(HasElem(ListSet("ban4"), "192.0.2.7"));
  EXPECT_TRUE(Answered(c7_, server_)) << "unban did not restore the flow";
  // Unbanning again (or what was never banned) is fine: retries are harmless.
  EXPECT_TRUE(backend_.Unban(C("192.0.2.7")).ok());
  EXPECT_TRUE(backend_.Unban(C("198.51.100.77")).ok());
}

TEST_F(NftablesNetns, BanStopsAnEstablishedIpv6FlowOnly) {
  ASSERT_TRUE(Answered(c7v6_, server6_));
  ASSERT_TRUE(Answered(c7v6_, server6_));
  ASSERT_TRUE(Answered(c8v6_, server6_));
  Status s = backend_.Ban(C("2001:db8::7"), 60s);
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::string set = ListSet("ban6");
  EXPECT_TRUE(HasElem(set, "2001:db8::7")) << set;
  EXPECT_TRUE(Blocked(c7v6_, server6_));
  EXPECT_TRUE(Answered(c8v6_, server6_));
  // IPv4 from the same host is another address: untouched.
  EXPECT_TRUE(Answered(c7_, server_));
  ASSERT_TRUE(backend_.Unban(C("2001:db8::7")).ok());
  EXPECT_TRUE(Answered(c7v6_, server6_));
}

TEST_F(NftablesNetns, NetworkBansAndFlush) {
  ASSERT_TRUE(Answered(c7_, server_));
  ASSERT_TRUE(Answered(c7v6_, server6_));
  ASSERT_TRUE(backend_.Ban(C("192.0.2.0/29"), 60s).ok());  // .0-.7
  Status s = backend_.Ban(C("2001:db8::/125"), 60s);       // ::0-::7
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(HasPrefix(ListSet("bannet4"), "192.0.2.0", 29)) << ListSet("bannet4");
  EXPECT_TRUE(HasPrefix(ListSet("bannet6"), "2001:db8::", 125)) << ListSet("bannet6");
  EXPECT_TRUE(Blocked(c7_, server_));
  EXPECT_TRUE(Answered(c8_, server_));
  EXPECT_TRUE(Blocked(c7v6_, server6_));
  EXPECT_TRUE(Answered(c8v6_, server6_));
  // An overlapping network is refused with nft's own message.
  s = backend_.Ban(C("192.0.2.0/24"), 60s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("nftables: ban 192.0.2.0/24: Error:"), std::string::npos)
      << s.error().message();
  EXPECT_NE(s.error().message().find("overlap"), std::string::npos) << s.error().message();
  // A single address never conflicts with a network.
  ASSERT_TRUE(backend_.Ban(C("192.0.2.8"), 60s).ok());
  EXPECT_TRUE(Blocked(c8_, server_));

  ASSERT_TRUE(backend_.Flush().ok());
  EXPECT_FALSE(HasPrefix(ListSet("bannet4"), "192.0.2.0", 29));
  EXPECT_FALSE(HasElem(ListSet("ban4"), "192.0.2.8"));
  EXPECT_TRUE(Answered(c7_, server_));
  EXPECT_TRUE(Answered(c8_, server_));
  EXPECT_TRUE(Answered(c7v6_, server6_));
}

TEST_F(NftablesNetns, ShortBanExpiresByItself) {
  ASSERT_TRUE(Answered(c7_, server_));
  auto t0 = Clock::now();
  ASSERT_TRUE(backend_.Ban(C("192.0.2.7"), 2s).ok());
  EXPECT_TRUE(Blocked(c7_, server_));
  bool back = false;
  for (int i = 0; i < 40 && !back; ++i) {  // at most ~6 s (150 ms sleep + exchange)
    std::this_thread::sleep_for(150ms);
    back = Exchange(c7_, server_, nullptr, 100);
  }
  auto took = Clock::now() - t0;
  ASSERT_TRUE(back) << "the element timeout did not end the ban";
  EXPECT_GE(took, 1500ms);
  EXPECT_LE(took, 5s);
  EXPECT_FALSE(HasElem(ListSet("ban4"), "192.0.2.7"));
}

TEST_F(NftablesNetns, BanAgainReplacesTheTimeout) {
  ASSERT_TRUE(backend_.Ban(C("192.0.2.7"), 2s).ok());
  ASSERT_TRUE(backend_.Ban(C("192.0.2.7"), 600s).ok());
  std::string set = ListSet("ban4");
  EXPECT_NE(set.find("\"timeout\": 600"), std::string::npos) << set;
}

TEST_F(NftablesNetns, StartTwiceAndRestartKeepBans) {
  ASSERT_TRUE(backend_.Ban(C("192.0.2.7"), 600s).ok());
  ASSERT_TRUE(backend_.Start().ok());  // same object again
  {
    // A new process would do this: a new backend in the same namespace.
    ASSERT_TRUE(srv_->Enter());
    NftablesBackend again;
    Status s = again.Start();
    ASSERT_TRUE(sipguard::testing::EnterHostNs());
    ASSERT_TRUE(s.ok()) << s.error().message();
    ASSERT_TRUE(again.Stop().ok());
  }
  EXPECT_TRUE(HasElem(ListSet("ban4"), "192.0.2.7"));
  EXPECT_TRUE(Blocked(c7_, server_));
  std::string chain;
  ASSERT_EQ(srv_->Exec({"nft", "list", "chain", "inet", "sipguard", "prerouting"}, &chain), 0);
  size_t drops = 0;
  for (size_t p = chain.find(" drop"); p != std::string::npos; p = chain.find(" drop", p + 1)) {
    ++drops;
  }
  EXPECT_EQ(drops, 4u) << chain;
  EXPECT_NE(chain.find("priority raw"), std::string::npos) << chain;  // -300
  // The user's own table is untouched by any of it.
  std::string user;
  ASSERT_EQ(srv_->Exec({"nft", "list", "table", "inet", "userfw"}, &user), 0);
  EXPECT_NE(user.find("ct state established,related counter name \"established\" accept"),
            std::string::npos)
      << user;
}

TEST_F(NftablesNetns, NftErrorsAreCaptured) {
  // A set of another type where ours should be: Start fails with nft's text.
  ASSERT_EQ(srv_->Exec({"nft",
                        "flush table inet sipguard; delete table inet sipguard; "
                        "add table inet sipguard; "
                        "add set inet sipguard ban4 { type ipv6_addr; }"}),
            0);
  ASSERT_TRUE(srv_->Enter());
  NftablesBackend other;
  Status s = other.Start();
  ASSERT_TRUE(sipguard::testing::EnterHostNs());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("nftables: start (table inet sipguard): Error:"),
            std::string::npos)
      << s.error().message();
  EXPECT_EQ(s.error().message().find('\n'), std::string::npos);
  EXPECT_FALSE(other.Ban(C("192.0.2.7"), 60s).ok());  // not started after a failed Start
}

// ---------------------------------------------------------------------------
// fail2ban-server (shipped jails, sipguard-agent enabled) in namespace F.
class Fail2banServer : public ::testing::Test {
 protected:
  void SetUp() override {
    SIPGUARD_REQUIRE(IsRoot(), "root (network namespaces, fail2ban-server, nftables)");
    SIPGUARD_REQUIRE(sipguard::testing::HaveCommand("fail2ban-server") &&
                         sipguard::testing::HaveCommand("fail2ban-client") &&
                         sipguard::testing::HaveCommand("nft") &&
                         std::filesystem::exists("/etc/fail2ban/jail.conf"),
                     "fail2ban and nftables (bash .ci/deps installs them)");
    ns_ = std::make_unique<NetNs>("f2b");
    SIPGUARD_REQUIRE(ns_->ok(), "network namespaces (ip netns add)");
    char tmpl[] = "/tmp/sipguard-ban-f2b.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    sock_ = tmp_ + "/fail2ban.sock";
    const std::string src = SIPGUARD_SOURCE_DIR;
    ASSERT_EQ(RunCommand({"cp", "-a", "/etc/fail2ban", tmp_ + "/conf"}), 0);
    ASSERT_EQ(RunCommand({"sh", "-c",
                          "rm -f \"$0\"/conf/jail.d/* && cp \"$1\"/filters/*.conf "
                          "\"$0\"/conf/filter.d/ && cp \"$1\"/jail.d/*.conf "
                          "\"$0\"/conf/jail.d/",
                          tmp_, src}),
              0);
    std::ofstream(tmp_ + "/conf/fail2ban.local")
        << "[Definition]\nloglevel = INFO\nlogtarget = " << tmp_
        << "/fail2ban.log\nsocket = " << sock_ << "\npidfile = " << tmp_
        << "/fail2ban.pid\ndbfile = " << tmp_ << "/fail2ban.sqlite3\n";
    std::ofstream(tmp_ + "/conf/jail.d/sipguard.local") << "[sipguard-agent]\nenabled = true\n";
    pid_ = sipguard::testing::StartProcess(
        {"ip", "netns", "exec", ns_->name(), "fail2ban-server", "-f", "-x", "-c", tmp_ + "/conf",
         "-s", sock_, "-p", tmp_ + "/fail2ban.pid"},
        tmp_ + "/server.out");
    ASSERT_GT(pid_, 0);
    // Wait (at most 30 s) until the jail answers through our own client.
    Fail2banClient client(sock_, 1000ms);
    bool up = false;
    for (int i = 0; i < 150 && !up; ++i) {
      up = client.Call(std::vector<std::string>{"get", "sipguard-agent", "bantime"}).ok();
      if (!up) std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(up) << "fail2ban-server did not come up; " << Log();
  }

  void TearDown() override {
    if (pid_ > 0) {
      Client({"stop"});
      sipguard::testing::StopProcess(pid_, 5000);
      pid_ = -1;
    }
    ns_.reset();
    if (!tmp_.empty()) std::filesystem::remove_all(tmp_);
  }

  int Client(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> argv = {"fail2ban-client", "-c", tmp_ + "/conf", "-s", sock_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out, 20000);
  }
  std::string Status() {
    std::string out;
    Client({"status", "sipguard-agent"}, &out);
    return out;
  }
  std::string Set(const char* set) {
    std::string out;
    ns_->Exec({"nft", "list", "set", "inet", "f2b-table", set}, &out);
    return out;
  }
  // Polls (at most 5 s) until `pred` holds.
  template <typename P>
  bool Eventually(P pred) {
    for (int i = 0; i < 50; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return pred();
  }
  std::string Log() {
    std::ifstream f(tmp_ + "/fail2ban.log");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return "fail2ban.log tail: " + all.substr(all.size() > 3000 ? all.size() - 3000 : 0);
  }

  std::unique_ptr<NetNs> ns_;
  std::string tmp_, sock_;
  pid_t pid_ = -1;
};

TEST_F(Fail2banServer, BanAndUnbanReachTheJailAndNftables) {
  Fail2banBackend b("sipguard-agent", sock_, 5000ms);
  ::sipguard::Status s = b.Start();
  ASSERT_TRUE(s.ok()) << s.error().message();
  s = b.Ban(C("::ffff:192.0.2.66"), 3600s);
  ASSERT_TRUE(s.ok()) << s.error().message();
  s = b.Ban(C("2001:db8::66"), 3600s);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(Eventually([&] {
    std::string st = Status();
    return st.find("192.0.2.66") != std::string::npos &&
           st.find("2001:db8::66") != std::string::npos;
  })) << Status();
  EXPECT_TRUE(Eventually([&] {
    return Set("addr-set-sipguard-agent").find("192.0.2.66") != std::string::npos &&
           Set("addr6-set-sipguard-agent").find("2001:db8::66") != std::string::npos;
  })) << Set("addr-set-sipguard-agent")
      << Log();

  s = b.Unban(C("192.0.2.66"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(Eventually([&] { return Status().find("192.0.2.66") == std::string::npos; }));
  EXPECT_TRUE(Eventually(
      [&] { return Set("addr-set-sipguard-agent").find("192.0.2.66") == std::string::npos; }));
  EXPECT_TRUE(b.Unban(C("192.0.2.66")).ok());  // not banned any more: fine

  // Flush lifts what this backend banned, and nothing else.
  ASSERT_EQ(Client({"set", "sipguard-agent", "banip", "203.0.113.99"}), 0);
  ASSERT_TRUE(b.Ban(C("198.51.100.66"), 3600s).ok());
  s = b.Flush();
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(Eventually([&] {
    std::string st = Status();
    return st.find("198.51.100.66") == std::string::npos &&
           st.find("2001:db8::66") == std::string::npos;
  })) << Status();
  EXPECT_NE(Status().find("203.0.113.99"), std::string::npos) << "Flush lifted another's ban";
}

TEST_F(Fail2banServer, UnknownJailAndStoppedServerAreClearErrors) {
  Fail2banBackend wrong("no-such-jail", sock_, 5000ms);
  ::sipguard::Status s = wrong.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("no-such-jail"), std::string::npos) << s.error().message();
  EXPECT_NE(s.error().message().find("fail2ban refused 'get no-such-jail bantime'"),
            std::string::npos)
      << s.error().message();

  Fail2banBackend b("sipguard-agent", sock_, 2000ms);
  ASSERT_TRUE(b.Start().ok());
  ASSERT_EQ(Client({"stop"}), 0);
  sipguard::testing::StopProcess(pid_, 10000);
  pid_ = -1;
  auto t0 = Clock::now();
  s = b.Ban(C("192.0.2.66"), 60s);
  EXPECT_LT(Clock::now() - t0, 3s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("fail2ban:sipguard-agent: ban 192.0.2.66/32: fail2ban socket"),
            std::string::npos)
      << s.error().message();
  EXPECT_TRUE(s.error().sys_errno() == ENOENT || s.error().sys_errno() == ECONNREFUSED)
      << s.error().message();
}

}  // namespace
}  // namespace sipguard::ban

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(
      new sipguard::ban::HostRulesetGuard);  // NOLINT: owned by gtest
  int rc = RUN_ALL_TESTS();
  const ::testing::UnitTest& u = *::testing::UnitTest::GetInstance();
  // Everything skipped for a missing requirement: CTest's "skipped" (77).
  if (rc == 0 && u.test_to_run_count() > 0 && u.skipped_test_count() == u.test_to_run_count()) {
    return 77;
  }
  return rc;
}
