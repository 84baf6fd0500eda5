// HostAddresses: the machine's own IP addresses, for the policy's never-ban
// list. The only I/O of sipguard_policy.
//
// Reads every interface address with getifaddrs(3) (IPv4 and IPv6, up or
// down, loopback included), normalised as IpAddress does, sorted, each once.
// Addresses added later (DHCP, SLAAC) are not seen: call it again.
//
// Failure: an Error with getifaddrs' errno. Nothing is logged or thrown.
// Thread-safety: safe to call from any thread.
#pragma once

#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace sipguard::policy {

Result<std::vector<IpAddress>> HostAddresses();

}  // namespace sipguard::policy
