// proxy.conf and endpoint parsing: accepted forms, and errors that name the
// file, line and problem.
#include "proxy_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sipguard {
namespace {

Result<ProxyConfig> FromText(const std::string& text) {
  auto file = ConfigFile::Parse(text, "proxy.conf");
  if (!file.ok()) return file.error();
  ProxyConfig config;
  if (Status s = ApplyConfigFile(*file, &config); !s.ok()) return s.error();
  if (Status s = FinishProxyConfig(&config); !s.ok()) return s.error();
  return config;
}

TEST(ParseEndpoint, AcceptsTheDocumentedForms) {
  struct {
    const char* text;
    const char* ip;
    uint16_t port;
    forward::Transport transport;
  } cases[] = {
      {"udp:192.0.2.1:5060", "192.0.2.1", 5060, forward::Transport::kUdp},
      {"tcp:[2001:db8::1]:5061", "2001:db8::1", 5061, forward::Transport::kTcp},
      {"udp:[::]", "::", 5060, forward::Transport::kUdp},
      {"udp:0.0.0.0", "0.0.0.0", 5060, forward::Transport::kUdp},
      {"tcp:[::ffff:192.0.2.9]:7000", "192.0.2.9", 7000, forward::Transport::kTcp},
  };
  for (const auto& c : cases) {
    auto ep = ParseEndpoint(c.text);
    ASSERT_TRUE(ep.ok()) << c.text << ": " << ep.error().message();
    EXPECT_EQ(ep->ip.ToString(), c.ip);
    EXPECT_EQ(ep->port, c.port);
    EXPECT_EQ(ep->transport, c.transport);
  }
}

TEST(ParseEndpoint, RejectsWithTheReason) {
  struct {
    const char* text;
    const char* why;
  } cases[] = {
      {"sctp:192.0.2.1:5060", "unknown transport"},
      {"udp:2001:db8::1:5060", "IPv6 addresses need brackets"},
      {"udp:[2001:db8::1:5060", "no ']'"},
      {"udp:[::1]5060", "junk after ']'"},
      {"udp:192.0.2.1:", "port is not a number"},
      {"udp:192.0.2.1:0", "port is not a number"},
      {"udp:192.0.2.1:65536", "port is not a number"},
      {"udp:192.0.2.1:50x", "port is not a number"},
      {"udp:host.example.com:5060", "bad endpoint"},
      {"udp::5060", "bad endpoint"},
  };
  for (const auto& c : cases) {
    auto ep = ParseEndpoint(c.text);
    ASSERT_FALSE(ep.ok()) << "accepted " << c.text;
    EXPECT_NE(ep.error().message().find(c.why), std::string::npos) << ep.error().message();
  }
}

TEST(ProxyConfig, ReadsEverySection) {
  auto c = FromText(
      "[proxy]\n"
      "listen = udp:0.0.0.0:5060\n"
      "listen = tcp:[::]:5060\n"
      "backend = udp:192.0.2.10:5060\n"
      "backend = udp:192.0.2.11:5060\n"
      "trusted = 198.51.100.0/24\n"
      "max-forwards = 20\n"
      "record-route = no\n"
      "no-backend = drop\n"
      "workers = 2\n"
      "log-target = stderr\n"
      "[flood]\nlimit = 50\nwindow = 5s\n"
      "[scanner]\nuser-agent = evil-bot\ntells = no\n"
      "[auth-failure]\nforbidden-limit = 3\n"
      "[enumeration]\ndistinct-limit = 4\nwindow = 2m\n"
      "[events]\nrate = 10\nburst = 20\n"
      "[health]\ninterval = 3s\n"
      "[tcp]\nidle-timeout = 1m\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->listen.size(), 2u);
  EXPECT_EQ(c->backends.size(), 2u);
  EXPECT_EQ(c->forward.max_forwards, 20u);
  EXPECT_FALSE(c->forward.record_route);
  EXPECT_EQ(c->forward.no_backend, forward::NoBackendPolicy::kDrop);
  EXPECT_EQ(c->workers, 2u);
  EXPECT_EQ(c->log_target, "stderr");
  EXPECT_EQ(c->flood.limit, 50u);
  EXPECT_EQ(c->flood.window, std::chrono::seconds(5));
  EXPECT_EQ(c->scanner.user_agents, std::vector<std::string>{"evil-bot"});
  EXPECT_FALSE(c->scanner.check_tells);
  EXPECT_EQ(c->auth_failure.forbidden_limit, 3u);
  EXPECT_EQ(c->enumeration.distinct_limit, 4u);
  EXPECT_EQ(c->enumeration.window, std::chrono::minutes(2));
  EXPECT_EQ(c->event_rate, 10);
  EXPECT_EQ(c->health_interval, std::chrono::seconds(3));
  EXPECT_EQ(c->tcp_idle_timeout, std::chrono::seconds(60));
  // Trusted trunks reach every detector.
  auto trunk = IpAddress::Parse("198.51.100.7").value();
  EXPECT_TRUE(c->flood.trusted.Contains(trunk));
  EXPECT_TRUE(c->auth_failure.trusted.Contains(trunk));
  EXPECT_TRUE(c->enumeration.trusted.Contains(trunk));
}

TEST(ProxyConfig, ErrorsNameFileLineAndProblem) {
  const std::string base = "[proxy]\nlisten = udp:0.0.0.0:5060\nbackend = udp:192.0.2.10:5060\n";
  struct {
    std::string text;
    std::string message;
  } cases[] = {
      {base + "lisen = udp:0.0.0.0:5061\n", "proxy.conf:4: [proxy] lisen: unknown key"},
      {base + "max-forwards = 300\n",
       "proxy.conf:4: [proxy] max-forwards: 300 is out of range 1..255"},
      {base + "max-forwards = ten\n",
       "proxy.conf:4: [proxy] max-forwards: expected a number, got \"ten\""},
      {base + "record-route = maybe\n",
       "proxy.conf:4: [proxy] record-route: expected yes or no, got \"maybe\""},
      {base + "trusted = 198.51.100.0/33\n", "proxy.conf:4: [proxy] trusted: "},
      {base + "[flood]\nwindow = 0s\n", "proxy.conf:5: [flood] window: must be at least 1s"},
      {base + "[flood]\nwindow = soon\n", "proxy.conf:5: [flood] window: bad duration \"soon\""},
      {base + "[bogus]\nx = 1\n", "proxy.conf:5: [bogus] x: unknown key"},
      {"listen = udp:0.0.0.0:5060\n", "proxy.conf:1: listen: key outside a section"},
      {"[proxy]\nlisten = udp:0.0.0.0:5060\n", "no backend: give --backend or [proxy] backend"},
      {"[proxy]\nbackend = udp:192.0.2.10:5060\n", "no listen endpoint"},
      {base + "backend = udp:255.255.255.255:5060\n",
       "backend address 255.255.255.255 cannot be sent to"},
  };
  for (const auto& c : cases) {
    auto r = FromText(c.text);
    ASSERT_FALSE(r.ok()) << "accepted:\n" << c.text;
    EXPECT_EQ(r.error().message().rfind(c.message, 0), 0u) << r.error().message();
  }
}

TEST(ProxyConfig, TheShippedExampleIsValid) {
  auto file = ConfigFile::Load(SIPGUARD_EXAMPLE_PROXY_CONF);
  ASSERT_TRUE(file.ok()) << file.error().message();
  ProxyConfig config;
  Status s = ApplyConfigFile(*file, &config);
  ASSERT_TRUE(s.ok()) << s.error().message();
  s = FinishProxyConfig(&config);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(config.listen.size(), 2u);
  EXPECT_EQ(config.backends.size(), 2u);
  EXPECT_EQ(config.forward.max_forwards, 10u);
}

}  // namespace
}  // namespace sipguard
