#include "server/control.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "server/net.h"

namespace sipguard::server {
namespace {

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Error("control socket path '" + path + "' is empty or too long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Create(const std::string& path) {
  Result<sockaddr_un> addr = UnixAddress(path);
  if (!addr.ok()) return addr.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("control socket", errno);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Error("control socket path '" + path + "' is not a socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe.valid() && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&*addr),
                                   sizeof(sockaddr_un)) == 0) {
      return Error("control socket " + path + " is in use by another process");
    }
    (void)::unlink(path.c_str());  // stale: left by a proxy that crashed
  } else {
    // The default lives in /run/sipguard, which systemd's RuntimeDirectory=
    // creates; a manual start creates it (one level only).
    std::string dir = path.substr(0, path.rfind('/'));
    if (!dir.empty()) (void)::mkdir(dir.c_str(), 0750);
  }
  mode_t old = ::umask(0117);  // the socket is born 0660
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un));
  int err = errno;
  ::umask(old);
  if (rc != 0) return ErrnoError("cannot bind control socket " + path, err);
  if (::listen(fd.get(), 8) != 0) return ErrnoError("listen on " + path, errno);
  return std::unique_ptr<ControlServer>(new ControlServer(path, std::move(fd)));
}

ControlServer::~ControlServer() {
  if (fd_.valid()) (void)::unlink(path_.c_str());
}

void ControlServer::Serve(std::string_view document) {
  UniqueFd client(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!client.valid()) return;
  timeval tv{0, 200000};
  (void)::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  std::string doc(document);
  doc += '\n';
  size_t sent = 0;
  while (sent < doc.size()) {
    ssize_t n = ::send(client.get(), doc.data() + sent, doc.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

Result<std::string> FetchStats(const std::string& path) {
  Result<sockaddr_un> addr = UnixAddress(path);
  if (!addr.ok()) return addr.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un)) != 0) {
    return ErrnoError("cannot connect to " + path, errno);
  }
  std::string out;
  char buf[4096];
  while (out.size() < (1u << 20)) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return Error("no answer from " + path);
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0) return ErrnoError("reading " + path, errno);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace sipguard::server
