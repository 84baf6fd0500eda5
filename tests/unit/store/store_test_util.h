// Helpers for the store tests: a temporary directory per test and event builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/store.h"

namespace sipguard::store::testing {

inline constexpr int64_t kHalfLifeMs = 60'000;  // 1 minute: easy arithmetic.

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/sipguard-store-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline Store::Options Opts(bool read_only = false) {
  Store::Options o;
  o.half_life_ms = kHalfLifeMs;
  o.read_only = read_only;
  return o;
}

inline IpAddress Ip(const std::string& text) {
  auto ip = IpAddress::Parse(text);
  EXPECT_TRUE(ip.ok()) << text;
  return ip.ok() ? *ip : IpAddress();
}

inline Cidr Net(const std::string& text) {
  auto c = Cidr::Parse(text);
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? *c : Cidr();
}

inline Batch::Item Ev(const std::string& ip, int64_t time_ms, double weight = 1.0,
                      EventType type = EventType::kScanner) {
  Batch::Item item;
  item.event.time_ms = time_ms;
  item.event.ip = Ip(ip);
  item.event.type = type;
  item.event.src_port = 5060;
  item.event.transport = "udp";
  item.event.method = "OPTIONS";
  item.event.call_id = "ci-" + std::to_string(time_ms);
  item.event.from_uri = "sip:100@example.com";
  item.event.user_agent = "friendly-scanner";
  item.event.reply = 0;
  item.event.source = "journal";
  item.weight = weight;
  return item;
}

inline Store OpenOrDie(const std::string& path, bool read_only = false) {
  auto s = Store::Open(path, Opts(read_only));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  if (!s.ok()) std::abort();
  return std::move(s).value();
}

}  // namespace sipguard::store::testing
