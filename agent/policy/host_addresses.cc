#include "policy/host_addresses.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

namespace sipguard::policy {

Result<std::vector<IpAddress>> HostAddresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    int err = errno;
    return Error("getifaddrs: " + std::generic_category().message(err), err);
  }
  std::vector<IpAddress> out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    socklen_t len = 0;
    if (i->ifa_addr->sa_family == AF_INET) {
      len = sizeof(sockaddr_in);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      len = sizeof(sockaddr_in6);
    } else {
      continue;
    }
    auto ip = IpAddress::FromSockaddr(i->ifa_addr, len);
    if (ip.ok()) out.push_back(*ip);
  }
  freeifaddrs(list);
  // By family, then bytes: IpAddress's order, spelled out (clang-tidy
  // misreads the defaulted operator<=>).
  std::sort(out.begin(), out.end(), [](const IpAddress& a, const IpAddress& b) {
    if (a.family() != b.family()) return a.is_v4();
    return std::ranges::lexicographical_compare(a.bytes(), b.bytes());
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sipguard::policy
