#include "server/counters.h"

#include <gtest/gtest.h>

namespace sipguard::server {
namespace {

TEST(Counters, SumAndJson) {
  WorkerCounters a, b;
  a.received.Add(3);
  b.received.Add(4);
  a.replied_by_status[400].Add();
  b.replied_by_status[483].Add(2);
  b.dropped[static_cast<size_t>(DropReason::kFlood)].Add(5);
  std::vector<const WorkerCounters*> all = {&a, &b};
  Totals t = Sum(all);
  t.backends.push_back({"udp:192.0.2.50:5060", false});
  EXPECT_EQ(t.received, 7u);
  EXPECT_EQ(t.replied, 3u);
  EXPECT_EQ(t.dropped, 5u);
  std::string json = ToJson(t);
  EXPECT_NE(json.find("\"received\":7"), std::string::npos) << json;
  EXPECT_NE(json.find("\"replied\":{\"400\":1,\"483\":2}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"flood\":5"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"endpoint\":\"udp:192.0.2.50:5060\",\"healthy\":false}"),
            std::string::npos);
  EXPECT_EQ(ToStatusLine(t).find("rx 7 "), 0u);
}

}  // namespace
}  // namespace sipguard::server
