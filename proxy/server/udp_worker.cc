#include "server/udp_worker.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>

#include "server/net.h"

namespace sipguard::server {
namespace {

constexpr uint64_t kWakeTag = ~uint64_t{0};
// Batches read from one socket per readiness before the others get a turn.
constexpr int kBatchesPerTurn = 8;

}  // namespace

Result<std::unique_ptr<UdpWorker>> UdpWorker::Create(const std::vector<forward::Endpoint>& listen,
                                                     RuntimeHolder* holder, StreamOut* stream_out) {
  std::unique_ptr<UdpWorker> w(new UdpWorker(holder, stream_out));
  w->epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!w->epoll_.valid()) return ErrnoError("epoll_create1", errno);
  w->wake_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!w->wake_.valid()) return ErrnoError("eventfd", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(w->epoll_.get(), EPOLL_CTL_ADD, w->wake_.get(), &ev) != 0) {
    return ErrnoError("epoll_ctl", errno);
  }
  for (const forward::Endpoint& ep : listen) {
    if (ep.transport != forward::Transport::kUdp) continue;
    Result<UniqueFd> fd = OpenUdpSocket(ep);
    if (!fd.ok()) return fd.error();
    ev.data.u64 = w->sockets_.size();
    if (::epoll_ctl(w->epoll_.get(), EPOLL_CTL_ADD, fd->get(), &ev) != 0) {
      return ErrnoError("epoll_ctl", errno);
    }
    w->sockets_.push_back(Socket{ep, std::move(fd).value()});
  }
  std::shared_ptr<const Runtime> rt = holder->Get();
  w->generation_ = holder->generation();
  Result<std::unique_ptr<Pipeline>> p = Pipeline::Create(rt, &w->counters_);
  if (!p.ok()) return p.error();
  w->pipeline_ = std::move(p).value();
  w->in_.resize(kBatch * kMaxMessageBytes);
  w->out_.resize(kBatch * kMaxMessageBytes);
  return w;
}

UdpWorker::~UdpWorker() { Stop(); }

void UdpWorker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void UdpWorker::Stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (wake_.valid()) (void)!::write(wake_.get(), &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> UdpWorker::TakeError() {
  std::lock_guard lock(error_mu_);
  return std::exchange(error_, std::nullopt);
}

void UdpWorker::NoteError(std::string message) {
  std::lock_guard lock(error_mu_);
  error_ = std::move(message);
}

void UdpWorker::Run() {
  std::array<epoll_event, 16> events{};
  while (!stop_.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 1000);
    // After the wait, so what just arrived is judged by the newest runtime.
    if (uint64_t g = holder_->generation(); g != generation_) {
      generation_ = g;
      if (Status s = pipeline_->SetRuntime(holder_->Get()); !s.ok()) {
        NoteError("reload refused by a worker: " + s.error().message());
      }
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[static_cast<size_t>(i)].data.u64;
      if (tag == kWakeTag) continue;
      Drain(static_cast<size_t>(tag));
    }
    pipeline_->SyncCounters();
    if (std::optional<Error> e = pipeline_->TakeSinkError()) {
      NoteError("event output failed: " + e->message());
    }
  }
}

void UdpWorker::Drain(size_t socket) {
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  std::array<sockaddr_storage, kBatch> addrs{};
  std::vector<Out> outs;
  outs.reserve(kBatch);
  for (int turn = 0; turn < kBatchesPerTurn; ++turn) {
    for (size_t i = 0; i < kBatch; ++i) {
      iovs[i].iov_base = in_.data() + i * kMaxMessageBytes;
      iovs[i].iov_len = kMaxMessageBytes;
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
    int got = ::recvmmsg(sockets_[socket].fd.get(), msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (got <= 0) return;  // EAGAIN, or an error the next readiness retries
    auto now = std::chrono::steady_clock::now();
    outs.clear();
    for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
      forward::Endpoint src;
      Result<IpAddress> ip = IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&addrs[i]),
                                                     msgs[i].msg_hdr.msg_namelen, &src.port);
      if (!ip.ok()) continue;
      src.ip = *ip;
      src.transport = forward::Transport::kUdp;
      std::string_view bytes(in_.data() + i * kMaxMessageBytes, msgs[i].msg_len);
      std::span<char> out(out_.data() + i * kMaxMessageBytes, kMaxMessageBytes);
      Decision d = pipeline_->Process(bytes, src, now, out);
      if (d.bytes.empty()) continue;
      if (d.destination.transport == forward::Transport::kTcp) {
        if (stream_out_ == nullptr || !stream_out_->Send(d.destination, d.bytes)) {
          counters_.dropped[static_cast<size_t>(DropReason::kTcpNoConnection)].Add();
        }
        continue;
      }
      size_t via = d.disposition == Disposition::kReply ? socket : SocketFor(d.destination, socket);
      if (via == sockets_.size()) {
        counters_.dropped[static_cast<size_t>(DropReason::kSendFailed)].Add();
        continue;
      }
      outs.push_back(Out{via, d.destination, d.bytes});
    }
    Flush(&outs);
    if (static_cast<size_t>(got) < kBatch) return;
  }
}

size_t UdpWorker::SocketFor(const forward::Endpoint& destination, size_t arrived) const {
  bool v4 = destination.ip.is_v4();
  for (size_t i = 0; i < sockets_.size(); ++i) {
    if (sockets_[i].endpoint.ip.is_v4() == v4) return i;
  }
  return sockets_[arrived].endpoint.ip.is_v4() == v4 ? arrived : sockets_.size();
}

void UdpWorker::Flush(std::vector<Out>* outs) {
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  std::array<sockaddr_storage, kBatch> addrs{};
  for (size_t s = 0; s < sockets_.size(); ++s) {
    size_t n = 0;
    for (const Out& o : *outs) {
      if (o.socket != s) continue;
      iovs[n].iov_base = const_cast<char*>(o.bytes.data());
      iovs[n].iov_len = o.bytes.size();
      msgs[n] = mmsghdr{};
      msgs[n].msg_hdr.msg_iov = &iovs[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
      msgs[n].msg_hdr.msg_name = &addrs[n];
      msgs[n].msg_hdr.msg_namelen = o.destination.ip.ToSockaddr(o.destination.port, &addrs[n]);
      ++n;
    }
    size_t sent = 0;
    while (sent < n) {
      int r = ::sendmmsg(sockets_[s].fd.get(), msgs.data() + sent, static_cast<unsigned>(n - sent),
                         MSG_DONTWAIT);
      if (r > 0) {
        sent += static_cast<size_t>(r);
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      // This datagram cannot go (full buffer, unreachable): count it, go on.
      counters_.dropped[static_cast<size_t>(DropReason::kSendFailed)].Add();
      ++sent;
    }
  }
}

}  // namespace sipguard::server
