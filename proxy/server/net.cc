#include "server/net.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <system_error>

namespace sipguard::server {
namespace {

int Family(const IpAddress& ip) { return ip.is_v4() ? AF_INET : AF_INET6; }

Status SetInt(int fd, int level, int name, int value, std::string_view what) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) return ErrnoError(what, errno);
  return {};
}

}  // namespace

Error ErrnoError(std::string_view what, int err) {
  return Error(std::string(what) + ": " + std::system_category().message(err), err);
}

std::string EndpointText(const forward::Endpoint& e) {
  return std::string(forward::UriTransportParam(e.transport)) + ":" + forward::ToHostPort(e);
}

namespace {

// A socket of `type` bound to `ep` the way every listener here is:
// SO_REUSEPORT (one socket per worker), IPv6 sockets v6-only (so [::] and
// 0.0.0.0 can be listed side by side), SO_REUSEADDR for TCP restarts, and a
// larger receive buffer when asked (UDP bursts).
Result<UniqueFd> OpenBoundSocket(const forward::Endpoint& ep, int type, bool reuseaddr,
                                 int rcvbuf) {
  std::string name = EndpointText(ep);
  UniqueFd fd(::socket(Family(ep.ip), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket for " + name, errno);
  struct Option {
    bool wanted;
    int level, option;
    const char* text;
  };
  const Option options[] = {{reuseaddr, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR on "},
                            {true, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT on "},
                            {ep.ip.is_v6(), IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY on "}};
  for (const Option& o : options) {
    if (!o.wanted) continue;
    if (Status st = SetInt(fd.get(), o.level, o.option, 1, o.text + name); !st.ok()) {
      return st.error();
    }
  }
  // Best effort: the kernel caps it at net.core.rmem_max.
  if (rcvbuf > 0) (void)SetInt(fd.get(), SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF");
  sockaddr_storage ss{};
  socklen_t len = ep.ip.ToSockaddr(ep.port, &ss);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    return ErrnoError("cannot bind " + name, errno);
  }
  return fd;
}

}  // namespace

Result<UniqueFd> OpenUdpSocket(const forward::Endpoint& ep) {
  return OpenBoundSocket(ep, SOCK_DGRAM, /*reuseaddr=*/false, /*rcvbuf=*/4 << 20);
}

Result<UniqueFd> OpenClientUdpSocket(const IpAddress& ip) {
  UniqueFd fd(::socket(Family(ip), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("udp socket", errno);
  return fd;
}

Result<UniqueFd> OpenTcpListener(const forward::Endpoint& ep, int backlog) {
  Result<UniqueFd> fd = OpenBoundSocket(ep, SOCK_STREAM, /*reuseaddr=*/true, /*rcvbuf=*/0);
  if (!fd.ok()) return fd;
  if (::listen(fd->get(), backlog) != 0) return ErrnoError("listen on " + EndpointText(ep), errno);
  return fd;
}

std::vector<forward::Endpoint> AdvertisedEndpoints(const std::vector<forward::Endpoint>& listen,
                                                   const std::vector<forward::Endpoint>& backends) {
  std::vector<forward::Endpoint> out;
  for (forward::Endpoint ep : listen) {
    if (ep.ip.is_unspecified()) {
      bool v4 = ep.ip.is_v4();
      IpAddress local = IpAddress::Parse(v4 ? "127.0.0.1" : "::1").value();
      for (const forward::Endpoint& b : backends) {
        if (b.ip.is_v4() != v4) continue;
        UniqueFd fd(::socket(Family(b.ip), SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_storage ss{};
        socklen_t len = b.ip.ToSockaddr(b.port, &ss);
        if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
          break;
        }
        sockaddr_storage mine{};
        socklen_t mine_len = sizeof(mine);
        if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&mine), &mine_len) == 0) {
          if (auto ip = IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&mine), mine_len);
              ip.ok()) {
            local = *ip;
          }
        }
        break;
      }
      ep.ip = local;
    }
    out.push_back(ep);
  }
  return out;
}

}  // namespace sipguard::server
