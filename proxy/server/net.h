// Socket helpers for the workers: listening sockets with the options the
// proxy needs, and the addresses the proxy advertises in Via/Record-Route.
//
// Every socket is returned owned (UniqueFd), non-blocking and close-on-exec.
// Failures are Errors naming the endpoint and the system call, with errno.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "forward/endpoint.h"
#include "server/fd.h"

namespace sipguard::server {

// An Error "<what>: <strerror>" carrying errno.
Error ErrnoError(std::string_view what, int err);

// "udp:192.0.2.1:5060", "tcp:[::1]:5061".
std::string EndpointText(const forward::Endpoint& e);

// A UDP socket bound to `ep` with SO_REUSEPORT (so each worker has its own
// socket on the same port and the kernel spreads datagrams among them),
// IPV6_V6ONLY for IPv6 (so [::] and 0.0.0.0 can both be bound), a large
// receive buffer, and IP_PKTINFO-free plain recvmmsg use.
Result<UniqueFd> OpenUdpSocket(const forward::Endpoint& ep);
// An unbound UDP socket of the family of `ip` (health probes).
Result<UniqueFd> OpenClientUdpSocket(const IpAddress& ip);
// A TCP listening socket bound to `ep` with SO_REUSEADDR and SO_REUSEPORT.
Result<UniqueFd> OpenTcpListener(const forward::Endpoint& ep, int backlog);

// The listen endpoints as peers reach them (what goes into Via): an
// unspecified address (0.0.0.0, ::) is replaced by the local address the
// kernel would use towards the first backend of that family, or loopback
// when there is none.
std::vector<forward::Endpoint> AdvertisedEndpoints(const std::vector<forward::Endpoint>& listen,
                                                   const std::vector<forward::Endpoint>& backends);

}  // namespace sipguard::server
