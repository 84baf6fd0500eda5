#include "server/tcp_server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "server/net.h"
#include "sip/message.h"

namespace sipguard::server {
namespace {

using Clock = std::chrono::steady_clock;

Status Watch(int epoll, int fd, uint32_t events, int op = EPOLL_CTL_ADD) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll, op, fd, &ev) != 0) return ErrnoError("epoll_ctl", errno);
  return {};
}

}  // namespace

Result<std::unique_ptr<TcpServer>> TcpServer::Create(const std::vector<forward::Endpoint>& listen,
                                                     RuntimeHolder* holder) {
  std::unique_ptr<TcpServer> t(new TcpServer(holder));
  for (const forward::Endpoint& ep : listen) {
    if (ep.transport != forward::Transport::kTcp) continue;
    Result<UniqueFd> fd = OpenTcpListener(ep, 128);
    if (!fd.ok()) return fd.error();
    t->listeners_.push_back(std::move(fd).value());
  }
  if (t->listeners_.empty()) return t;
  t->epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  t->wake_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!t->epoll_.valid() || !t->wake_.valid()) return ErrnoError("epoll/eventfd", errno);
  if (Result<UniqueFd> u = OpenClientUdpSocket(IpAddress()); u.ok()) {
    t->udp4_ = std::move(u).value();
  }
  if (Result<UniqueFd> u = OpenClientUdpSocket(IpAddress::Parse("::1").value()); u.ok()) {
    t->udp6_ = std::move(u).value();
  }
  for (const UniqueFd* fd : {&t->wake_, &t->udp4_, &t->udp6_}) {
    if (!fd->valid()) continue;
    if (Status s = Watch(t->epoll_.get(), fd->get(), EPOLLIN); !s.ok()) return s.error();
  }
  for (const UniqueFd& l : t->listeners_) {
    if (Status s = Watch(t->epoll_.get(), l.get(), EPOLLIN); !s.ok()) return s.error();
  }
  t->generation_ = holder->generation();
  Result<std::unique_ptr<Pipeline>> p = Pipeline::Create(holder->Get(), &t->counters_);
  if (!p.ok()) return p.error();
  t->pipeline_ = std::move(p).value();
  t->out_.resize(kMaxMessageBytes);
  return t;
}

TcpServer::~TcpServer() { Stop(); }

void TcpServer::Start() {
  if (!listeners_.empty()) thread_ = std::thread([this] { Run(); });
}

void TcpServer::Stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (wake_.valid()) (void)!::write(wake_.get(), &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> TcpServer::TakeError() {
  std::lock_guard lock(error_mu_);
  return std::exchange(error_, std::nullopt);
}

bool TcpServer::Send(const forward::Endpoint& client, std::string_view bytes) {
  if (listeners_.empty()) return false;
  {
    std::lock_guard lock(inbox_mu_);
    if (inbox_.size() >= kMaxInbox) return false;
    inbox_.emplace_back(client, std::string(bytes));
  }
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof(one));
  return true;
}

void TcpServer::Run() {
  std::array<epoll_event, 64> events{};
  auto last_expire = Clock::now();
  while (!stop_.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 500);
    if (uint64_t g = holder_->generation(); g != generation_) {
      generation_ = g;
      if (Status s = pipeline_->SetRuntime(holder_->Get()); !s.ok()) {
        std::lock_guard lock(error_mu_);
        error_ = "reload refused by the TCP worker: " + s.error().message();
      }
    }
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[static_cast<size_t>(i)];
      int fd = ev.data.fd;
      if (fd == wake_.get()) {
        uint64_t v = 0;
        (void)!::read(fd, &v, sizeof(v));
        continue;
      }
      if (fd == udp4_.get() || fd == udp6_.get()) {
        ReadUdp(fd);
        continue;
      }
      bool listener = false;
      for (const UniqueFd& l : listeners_) listener = listener || l.get() == fd;
      if (listener) {
        Accept(fd);
        continue;
      }
      auto it = by_fd_.find(fd);
      if (it == by_fd_.end()) continue;
      Conn* c = it->second.get();
      if ((ev.events & EPOLLOUT) != 0) Flush(c);
      if ((ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 && by_fd_.count(fd) != 0) {
        OnReadable(c);
      }
    }
    DrainInbox();
    for (int fd : closing_) {
      auto it = by_fd_.find(fd);
      if (it != by_fd_.end()) Close(it->second.get());
    }
    closing_.clear();
    if (Clock::now() - last_expire >= std::chrono::milliseconds(250)) {
      last_expire = Clock::now();
      Expire();
    }
    pipeline_->SyncCounters();
  }
  while (!by_fd_.empty()) Close(by_fd_.begin()->second.get());
}

void TcpServer::Accept(int listener) {
  const ProxyConfig& config = pipeline_->runtime().config;
  for (int k = 0; k < 64; ++k) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    UniqueFd fd(
        ::accept4(listener, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) return;
    forward::Endpoint peer;
    peer.transport = forward::Transport::kTcp;
    Result<IpAddress> ip =
        IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len, &peer.port);
    if (!ip.ok()) continue;
    peer.ip = *ip;
    auto same = by_ip_.find(peer.ip);
    size_t count = same == by_ip_.end() ? 0 : same->second.size();
    if (by_fd_.size() >= kMaxConnections || count >= config.tcp_max_connections_per_source ||
        !Watch(epoll_.get(), fd.get(), EPOLLIN).ok()) {
      counters_.tcp_rejected.Add();
      continue;  // closed by UniqueFd
    }
    auto conn = std::make_unique<Conn>();
    conn->peer = peer;
    conn->last_byte = Clock::now();
    conn->fd = std::move(fd);
    by_ip_[peer.ip].push_back(conn.get());
    by_fd_[conn->fd.get()] = std::move(conn);
    counters_.tcp_connections.Set(by_fd_.size());
  }
}

void TcpServer::MarkClosing(Conn* c) {
  if (c->closing) return;
  c->closing = true;
  closing_.push_back(c->fd.get());
}

void TcpServer::OnReadable(Conn* c) {
  char buf[16384];
  // Bounded per wake-up so one fast client cannot starve the others.
  for (int k = 0; k < 8 && !c->closing; ++k) {
    ssize_t n = ::recv(c->fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      MarkClosing(c);
      return;
    }
    if (n < 0) break;
    auto now = Clock::now();
    if (c->in.empty()) c->message_start = now;
    c->last_byte = now;
    c->in.append(buf, static_cast<size_t>(n));
    Frame(c);
    if (!c->closing && c->in.size() > kMaxHeaderBytes + sip::Message::kMaxContentLength) {
      pipeline_->RejectStream(c->in, c->peer, now);
      MarkClosing(c);
      return;
    }
  }
}

void TcpServer::Frame(Conn* c) {
  sip::Message* msg = msg_.get();
  auto now = Clock::now();
  while (!c->in.empty() && !c->closing) {
    size_t skip = 0;  // CRLF keep-alives between messages (RFC 5626 §3.5.1)
    while (skip < c->in.size() && (c->in[skip] == '\r' || c->in[skip] == '\n')) ++skip;
    c->in.erase(0, skip);
    if (c->in.empty()) return;
    sip::ParseError e = sip::Parse(c->in, sip::Transport::kStream, msg);
    if (e == sip::ParseError::kIncomplete) {
      if (!msg->headers_complete() && c->in.size() > kMaxHeaderBytes) {
        pipeline_->RejectStream(c->in, c->peer, now);
        MarkClosing(c);
      }
      return;
    }
    if (e != sip::ParseError::kNone) {
      // Framing cannot be trusted any more: judge what is there (a 400 and a
      // `malformed` event where the validator can say so), then close.
      Decision d = pipeline_->Process(c->in, c->peer, now, out_);
      Dispatch(d, c);
      MarkClosing(c);
      return;
    }
    size_t len = msg->bytes().size();
    Decision d = pipeline_->Process(std::string_view(c->in.data(), len), c->peer, now, out_);
    Dispatch(d, c);
    c->in.erase(0, len);
    c->message_start = now;
  }
}

void TcpServer::Dispatch(const Decision& d, Conn* from) {
  if (d.bytes.empty()) return;
  if (d.destination.transport == forward::Transport::kTcp) {
    Conn* c =
        d.disposition == Disposition::kReply && from != nullptr ? from : FindConn(d.destination);
    if (c == nullptr) {
      counters_.dropped[static_cast<size_t>(DropReason::kTcpNoConnection)].Add();
      return;
    }
    Write(c, d.bytes);
    return;
  }
  const UniqueFd& udp = d.destination.ip.is_v4() ? udp4_ : udp6_;
  sockaddr_storage ss{};
  socklen_t len = d.destination.ip.ToSockaddr(d.destination.port, &ss);
  if (!udp.valid() || ::sendto(udp.get(), d.bytes.data(), d.bytes.size(), MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(&ss), len) < 0) {
    counters_.dropped[static_cast<size_t>(DropReason::kSendFailed)].Add();
  }
}

TcpServer::Conn* TcpServer::FindConn(const forward::Endpoint& client) {
  auto it = by_ip_.find(client.ip);
  if (it == by_ip_.end()) return nullptr;
  // The exact endpoint the Via recorded (rport); else, without rport, the
  // newest connection from that address.
  Conn* best = nullptr;
  for (Conn* c : it->second) {
    if (c->peer.port == client.port) return c;
    if (best == nullptr || c->last_byte > best->last_byte) best = c;
  }
  return best;
}

void TcpServer::Write(Conn* c, std::string_view bytes) {
  if (c->closing) return;
  if (c->out.empty()) {
    ssize_t n = ::send(c->fd.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      MarkClosing(c);
      return;
    }
    bytes.remove_prefix(n > 0 ? static_cast<size_t>(n) : 0);
  }
  if (bytes.empty()) return;
  if (c->out.size() + bytes.size() > kMaxOutput) {  // a client that does not read
    MarkClosing(c);
    return;
  }
  c->out.append(bytes);
  if (!c->want_write) {
    c->want_write = Watch(epoll_.get(), c->fd.get(), EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD).ok();
  }
}

void TcpServer::Flush(Conn* c) {
  while (!c->out.empty()) {
    ssize_t n = ::send(c->fd.get(), c->out.data(), c->out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) MarkClosing(c);
      return;
    }
    c->out.erase(0, static_cast<size_t>(n));
  }
  if (c->want_write) {
    c->want_write = !Watch(epoll_.get(), c->fd.get(), EPOLLIN, EPOLL_CTL_MOD).ok();
  }
}

void TcpServer::Close(Conn* c) {
  auto same = by_ip_.find(c->peer.ip);
  if (same != by_ip_.end()) {
    std::erase(same->second, c);
    if (same->second.empty()) by_ip_.erase(same);
  }
  by_fd_.erase(c->fd.get());  // closes the socket, which leaves the epoll set
  counters_.tcp_connections.Set(by_fd_.size());
}

void TcpServer::Expire() {
  const ProxyConfig& config = pipeline_->runtime().config;
  auto now = Clock::now();
  for (auto& [fd, c] : by_fd_) {
    bool idle = now - c->last_byte > config.tcp_idle_timeout;
    bool slow = !c->in.empty() && now - c->message_start > config.tcp_header_timeout;
    if (idle || slow) MarkClosing(c.get());
  }
  for (int fd : closing_) {
    auto it = by_fd_.find(fd);
    if (it != by_fd_.end()) Close(it->second.get());
  }
  closing_.clear();
}

void TcpServer::DrainInbox() {
  std::deque<std::pair<forward::Endpoint, std::string>> work;
  {
    std::lock_guard lock(inbox_mu_);
    work.swap(inbox_);
  }
  for (const auto& [client, bytes] : work) {
    Conn* c = FindConn(client);
    if (c == nullptr) {
      counters_.dropped[static_cast<size_t>(DropReason::kTcpNoConnection)].Add();
      continue;
    }
    Write(c, bytes);
  }
}

void TcpServer::ReadUdp(int fd) {
  for (int k = 0; k < 64; ++k) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    ssize_t n = ::recvfrom(fd, out_.data(), out_.size(), MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) return;
    forward::Endpoint src;
    Result<IpAddress> ip =
        IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len, &src.port);
    if (!ip.ok()) continue;
    src.ip = *ip;
    // The datagram is copied out of out_, which Process writes into.
    std::string in(out_.data(), static_cast<size_t>(n));
    Decision d = pipeline_->Process(in, src, Clock::now(), out_);
    Dispatch(d, nullptr);
  }
}

}  // namespace sipguard::server
