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

Result<UniqueFd> OpenUdpSocket(const forward::Endpoint& ep) {
  std::string name = EndpointText(ep);
  UniqueFd fd(::socket(Family(ep.ip), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket for " + name, errno);
  if (Status s = SetInt(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT on " + name);
      !s.ok()) {
    return s.error();
  }
  if (ep.ip.is_v6()) {
    if (Status s = SetInt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY on " + name);
        !s.ok()) {
      return s.error();
    }
  }
  (void)SetInt(fd.get(), SOL_SOCKET, SO_RCVBUF, 4 << 20, "SO_RCVBUF");
  sockaddr_storage ss{};
  socklen_t len = ep.ip.ToSockaddr(ep.port, &ss);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    return ErrnoError("cannot bind " + name, errno);
  }
  return fd;
}

Result<UniqueFd> OpenClientUdpSocket(const IpAddress& ip) {
  UniqueFd fd(::socket(Family(ip), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("udp socket", errno);
  return fd;
}

Result<UniqueFd> OpenTcpListener(const forward::Endpoint& ep, int backlog) {
  std::string name = EndpointText(ep);
  UniqueFd fd(::socket(Family(ep.ip), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket for " + name, errno);
  if (Status s = SetInt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR on " + name);
      !s.ok()) {
    return s.error();
  }
  if (Status s = SetInt(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT on " + name);
      !s.ok()) {
    return s.error();
  }
  if (ep.ip.is_v6()) {
    if (Status s = SetInt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY on " + name);
        !s.ok()) {
      return s.error();
    }
  }
  sockaddr_storage ss{};
  socklen_t len = ep.ip.ToSockaddr(ep.port, &ss);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    return ErrnoError("cannot bind " + name, errno);
  }
  if (::listen(fd.get(), backlog) != 0) return ErrnoError("listen on " + name, errno);
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
