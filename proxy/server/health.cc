#include "server/health.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <vector>

#include "server/net.h"
#include "server/pipeline.h"

namespace sipguard::server {

std::string BuildProbe(const forward::Endpoint& backend, const forward::Endpoint& via,
                       std::string_view token, uint64_t seq) {
  std::string to = forward::ToHostPort(backend);
  std::string me = forward::ToHostPort(via);
  std::string n = std::to_string(seq);
  std::string m;
  m.reserve(512);
  m += "OPTIONS sip:" + to + " SIP/2.0\r\n";
  // rport (RFC 3581): the answer comes back to the probe's source port even
  // through a NAT between the proxy and its backends.
  m += "Via: SIP/2.0/UDP " + me + ";branch=" + std::string(token) + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m +=
      "From: <sip:sipguard@" + me + ">;tag=" + std::string(token.substr(token.size() - 8)) + "\r\n";
  m += "To: <sip:" + to + ">\r\n";
  m += "Call-ID: " + std::string(token) + "-" + n + "\r\n";
  m += "CSeq: " + n + " OPTIONS\r\n";
  m += "User-Agent: sipguard-proxy health check\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

Result<std::unique_ptr<HealthChecker>> HealthChecker::Create(RuntimeHolder* holder) {
  std::unique_ptr<HealthChecker> h(new HealthChecker(holder));
  Result<UniqueFd> v4 = OpenClientUdpSocket(IpAddress());
  if (!v4.ok()) return v4.error();
  h->v4_ = std::move(v4).value();
  // IPv6 may be disabled on the host: then only IPv4 backends are probed.
  if (Result<UniqueFd> v6 = OpenClientUdpSocket(IpAddress::Parse("::1").value()); v6.ok()) {
    h->v6_ = std::move(v6).value();
  }
  h->wake_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!h->wake_.valid()) return ErrnoError("eventfd", errno);
  return h;
}

HealthChecker::~HealthChecker() { Stop(); }

void HealthChecker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void HealthChecker::Stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (wake_.valid()) (void)!::write(wake_.get(), &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

void HealthChecker::Run() {
  using Clock = std::chrono::steady_clock;
  uint64_t seq = 0;
  const HealthTable* last_table = nullptr;
  while (!stop_.load(std::memory_order_acquire)) {
    std::shared_ptr<const Runtime> rt = holder_->Get();
    // A new table (reload) starts its first round now; close rounds of the
    // table whose probes are out.
    if (rt->health.get() == last_table) (void)rt->health->EndRound();
    last_table = rt->health.get();
    Probe(*rt, ++seq);
    auto deadline = Clock::now() + rt->config.health_interval;
    while (!stop_.load(std::memory_order_acquire)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      ReadAnswers(*rt, static_cast<int>(left.count()));
      if (holder_->Get()->health.get() != last_table) break;  // reload: probe the new set now
    }
  }
}

namespace {

// The address the kernel sends from toward `to`, and the local port of
// `fd`: where an answer to a probe sent from `fd` to `to` can reach us. A
// probe's Via must name these, not a listen endpoint: the probe socket is not
// bound to one, and a backend answers to the Via's sent-by (with received=
// when the source address differs), RFC 3261 §18.2.2.
std::optional<forward::Endpoint> ReturnAddress(int fd, const forward::Endpoint& to) {
  UniqueFd probe(::socket(to.ip.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_storage ss{};
  socklen_t len = to.ip.ToSockaddr(to.port, &ss);
  // connect() on UDP sends nothing: it only asks the routing table.
  if (!probe.valid() || ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    return std::nullopt;
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  sockaddr_storage own{};
  socklen_t own_len = sizeof(own);
  if (::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&own), &own_len) != 0) {
    return std::nullopt;
  }
  forward::Endpoint ep;
  uint16_t unused = 0;
  Result<IpAddress> ip =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&local), local_len, &unused);
  Result<IpAddress> own_ip =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&own), own_len, &ep.port);
  if (!ip.ok() || !own_ip.ok()) return std::nullopt;
  ep.ip = *ip;
  return ep;
}

}  // namespace

void HealthChecker::Probe(const Runtime& rt, uint64_t seq) {
  for (const forward::Endpoint& b : rt.health->endpoints()) {
    const UniqueFd& fd = b.ip.is_v4() ? v4_ : v6_;
    if (!fd.valid()) continue;  // no socket of this family: it will be marked down
    // The socket gets its port on the first sendto; make sure it has one.
    if (!bound_[b.ip.is_v4() ? 0 : 1]) {
      sockaddr_storage any{};
      socklen_t any_len =
          (b.ip.is_v4() ? IpAddress() : IpAddress::Parse("::").value()).ToSockaddr(0, &any);
      bound_[b.ip.is_v4() ? 0 : 1] =
          ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), any_len) == 0;
    }
    std::optional<forward::Endpoint> via = ReturnAddress(fd.get(), b);
    if (!via) continue;  // no route to the backend: it will be marked down
    std::string probe = BuildProbe(b, *via, rt.health_token, seq);
    sockaddr_storage ss{};
    socklen_t len = b.ip.ToSockaddr(b.port, &ss);
    (void)::sendto(fd.get(), probe.data(), probe.size(), MSG_DONTWAIT,
                   reinterpret_cast<const sockaddr*>(&ss), len);
  }
}

void HealthChecker::ReadAnswers(const Runtime& rt, int timeout_ms) {
  std::array<pollfd, 3> fds{};
  fds[0] = {wake_.get(), POLLIN, 0};
  fds[1] = {v4_.get(), POLLIN, 0};
  fds[2] = {v6_.get(), POLLIN, 0};  // -1 is ignored by poll
  if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
  std::vector<char> buf(kMaxMessageBytes);
  auto msg = std::make_unique<sip::Message>();
  for (size_t i = 1; i < fds.size(); ++i) {
    if ((fds[i].revents & POLLIN) == 0) continue;
    // Bounded: at most 64 datagrams per wake-up.
    for (int k = 0; k < 64; ++k) {
      sockaddr_storage ss{};
      socklen_t len = sizeof(ss);
      ssize_t n = ::recvfrom(fds[i].fd, buf.data(), buf.size(), MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&ss), &len);
      if (n < 0) break;
      forward::Endpoint from;
      Result<IpAddress> ip =
          IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len, &from.port);
      if (!ip.ok()) continue;
      from.ip = *ip;
      std::optional<size_t> backend = rt.health->Find(from);
      if (!backend) continue;
      sip::ParseError e = sip::Parse(std::string_view(buf.data(), static_cast<size_t>(n)),
                                     sip::Transport::kDatagram, msg.get());
      if (e == sip::ParseError::kNone && IsHealthReply(*msg, rt.health_token)) {
        rt.health->MarkAnswered(*backend);
      }
    }
  }
}

}  // namespace sipguard::server
