#include "ban/fail2ban_backend.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace sipguard::ban {

namespace {

using Clock = std::chrono::steady_clock;

// Closes the descriptor on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// strerror() is not thread-safe; the generic category's message is.
std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Milliseconds left until `deadline` (0 when past), for poll().
int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
}

// Waits for `events` on `fd` until `deadline`. Error on timeout or poll failure.
Status WaitFor(int fd, short events, Clock::time_point deadline, std::string_view doing) {
  while (true) {
    pollfd p{fd, events, 0};
    int ms = MsLeft(deadline);
    int r = ::poll(&p, 1, ms);
    if (r > 0) return {};
    if (r == 0) return Error("timed out " + std::string(doing), ETIMEDOUT);
    if (errno != EINTR) {
      int err = errno;
      return Error("poll: " + ErrnoText(err), err);
    }
    if (ms == 0) return Error("timed out " + std::string(doing), ETIMEDOUT);
  }
}

Status SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      int err = errno;
      return Error("send: " + ErrnoText(err), err);
    }
    if (Status s = WaitFor(fd, POLLOUT, deadline, "sending the command"); !s.ok()) return s;
  }
  return {};
}

std::string CommandText(std::span<const std::string> args) {
  std::string s;
  for (const std::string& a : args) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s.size() > 200 ? s.substr(0, 197) + "..." : s;
}

}  // namespace

Fail2banClient::Fail2banClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<fail2ban::PickleValue> Fail2banClient::Call(std::span<const std::string> args) const {
  const Clock::time_point deadline = Clock::now() + timeout_;
  const std::string where = "fail2ban socket " + socket_path_ + ": ";
  Result<std::string> command = fail2ban::EncodeCommand(args);
  if (!command.ok()) return command.error();

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.empty() || socket_path_.size() >= sizeof(addr.sun_path)) {
    return Error(where + "path empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    int err = errno;
    return Error(where + "socket: " + ErrnoText(err), err);
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockaddr API
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    if (err == EINPROGRESS) {
      if (Status s = WaitFor(fd.get(), POLLOUT, deadline, "connecting"); !s.ok()) {
        return Error(where + s.error().message(), s.error().sys_errno());
      }
      socklen_t len = sizeof(err);
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
    if (err != 0) {
      std::string hint;
      if (err == ENOENT) hint = " (is fail2ban-server running? check fail2ban.conf 'socket')";
      if (err == ECONNREFUSED) hint = " (fail2ban-server is not running: stale socket)";
      if (err == EACCES) hint = " (permission denied: the agent must run as root)";
      if (err == EAGAIN) hint = " (server busy: listen backlog full)";
      return Error(where + "connect: " + ErrnoText(err) + hint, err);
    }
  }

  if (Status s = SendAll(fd.get(), *command, deadline); !s.ok()) {
    return Error(where + s.error().message(), s.error().sys_errno());
  }

  // The answer: a pickle ended by the end marker, then nothing (we close).
  std::string reply;
  const size_t limit = fail2ban::kMaxPickleBytes + fail2ban::kEndMarker.size();
  char buf[4096];
  while (!reply.ends_with(fail2ban::kEndMarker)) {
    if (reply.size() > limit) {
      return Error(where + "answer longer than " + std::to_string(limit) + " bytes");
    }
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      reply.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      return Error(where + "server closed the connection before answering " + CommandText(args));
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      int err = errno;
      return Error(where + "recv: " + ErrnoText(err), err);
    }
    if (Status s = WaitFor(fd.get(), POLLIN, deadline, "waiting for the answer"); !s.ok()) {
      return Error(where + s.error().message() + " to " + CommandText(args), s.error().sys_errno());
    }
  }
  reply.resize(reply.size() - fail2ban::kEndMarker.size());

  // Polite close, as fail2ban-client does; its failure changes nothing.
  std::string close_cmd = std::string(fail2ban::kCloseMarker) + std::string(fail2ban::kEndMarker);
  (void)::send(fd.get(), close_cmd.data(), close_cmd.size(), MSG_NOSIGNAL | MSG_DONTWAIT);

  Result<fail2ban::Reply> parsed = fail2ban::ParseReply(reply);
  if (!parsed.ok()) return Error(where + parsed.error().message());
  if (parsed->code != 0) {
    return Error("fail2ban refused '" + CommandText(args) + "': " + parsed->error);
  }
  return std::move(parsed->value);
}

Fail2banBackend::Fail2banBackend(std::string jail, std::string socket_path,
                                 std::chrono::milliseconds timeout)
    : jail_(std::move(jail)),
      name_("fail2ban:" + jail_),
      client_(std::move(socket_path), timeout) {}

Status Fail2banBackend::Fail(std::string_view op, const Error& cause) const {
  return Error(name_ + ": " + std::string(op) + ": " + cause.message(), cause.sys_errno());
}

Status Fail2banBackend::Start() {
  const std::string cmd[] = {"get", jail_, "bantime"};
  Result<fail2ban::PickleValue> r = client_.Call(cmd);
  if (!r.ok()) return Fail("start (jail " + jail_ + ")", r.error());
  started_ = true;
  return {};
}

Status Fail2banBackend::Ban(const Cidr& who, std::chrono::seconds duration) {
  const std::string op = "ban " + who.ToString();
  if (!started_) return Fail(op, Error("backend not started"));
  if (Status s = ValidateBanTarget(who); !s.ok()) return Fail(op, s.error());
  if (Status s = ValidateBanDuration(duration); !s.ok()) return Fail(op, s.error());
  if (who.prefix_len() != who.address().max_prefix_len()) {
    return Fail(op, Error("fail2ban bans single addresses only (the jail's nftables set has no "
                          "interval flag)"));
  }
  const std::string cmd[] = {"set", jail_, "banip", who.address().ToString()};
  Result<fail2ban::PickleValue> r = client_.Call(cmd);
  if (!r.ok()) return Fail(op, r.error());
  if (std::find(banned_.begin(), banned_.end(), who.address()) == banned_.end()) {
    banned_.push_back(who.address());
  }
  return {};
}

Status Fail2banBackend::Unban(const Cidr& who) {
  const std::string op = "unban " + who.ToString();
  if (!started_) return Fail(op, Error("backend not started"));
  if (who.prefix_len() != who.address().max_prefix_len()) {
    return Fail(op, Error("fail2ban bans single addresses only"));
  }
  // unbanip without --report-absent: an address that is not banned is no error.
  const std::string cmd[] = {"set", jail_, "unbanip", who.address().ToString()};
  Result<fail2ban::PickleValue> r = client_.Call(cmd);
  if (!r.ok()) return Fail(op, r.error());
  std::erase(banned_, who.address());
  return {};
}

Status Fail2banBackend::Flush() {
  if (!started_) return Fail("flush", Error("backend not started"));
  while (!banned_.empty()) {
    size_t n = std::min(banned_.size(), kFlushBatch);
    std::vector<std::string> cmd = {"set", jail_, "unbanip"};
    for (size_t i = 0; i < n; ++i) cmd.push_back(banned_[i].ToString());
    Result<fail2ban::PickleValue> r = client_.Call(cmd);
    if (!r.ok()) return Fail("flush", r.error());
    banned_.erase(banned_.begin(), banned_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return {};
}

Status Fail2banBackend::Stop() {
  started_ = false;
  return {};
}

}  // namespace sipguard::ban
