// TcpServer: one thread serving SIP over TCP (RFC 3261 §18): listeners on
// every tcp: listen endpoint, a table of client connections keyed by the
// client's endpoint, stream framing with Parse(kStream), and the same
// Pipeline as the UDP workers (its own detectors and Reporter).
//
// Requests from a connection go to the backends over UDP, from this thread's
// own UDP socket of the backend's family; the backends' answers come back
// either to that socket (symmetric backends) or to a UDP worker, which hands
// responses for TCP clients over through StreamOut::Send(). A response goes
// out on the connection of its client: the exact endpoint the Via recorded
// (received/rport), else the newest connection from that address.
//
// Limits on everything a client controls: connections per source address
// (tcp.max-connections-per-source) and in total (kMaxConnections); a header
// section of at most kMaxHeaderBytes and a body within the parser's
// Content-Length cap; tcp.header-timeout for a message to arrive whole once
// it started (slow senders), tcp.idle-timeout without any byte; an output
// queue of at most kMaxOutput bytes per connection (a client that does not
// read is closed). Bad framing closes the connection with a `malformed`
// event; nothing a client sends can stall the thread.
//
// Thread-safety: Start/Stop from the controlling thread; Send() and
// counters() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"
#include "server/counters.h"
#include "server/fd.h"
#include "server/pipeline.h"
#include "server/runtime.h"
#include "server/stream_out.h"
#include "sip/message.h"

namespace sipguard::server {

inline constexpr size_t kMaxHeaderBytes = size_t{64} * 1024;
inline constexpr size_t kMaxOutput = size_t{1024} * 1024;
inline constexpr size_t kMaxConnections = 4096;
inline constexpr size_t kMaxInbox = 4096;  // responses waiting for this thread

class TcpServer : public StreamOut {
 public:
  // Opens the listeners (none when `listen` has no tcp: endpoint).
  static Result<std::unique_ptr<TcpServer>> Create(const std::vector<forward::Endpoint>& listen,
                                                   RuntimeHolder* holder);
  ~TcpServer() override;
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  bool empty() const { return listeners_.empty(); }
  void Start();
  void Stop();

  bool Send(const forward::Endpoint& client, std::string_view bytes) override;

  const WorkerCounters& counters() const { return counters_; }
  std::optional<std::string> TakeError();

 private:
  struct Conn {
    UniqueFd fd;
    forward::Endpoint peer;
    std::string in;
    std::string out;  // not yet written
    std::chrono::steady_clock::time_point last_byte;
    std::chrono::steady_clock::time_point message_start;  // valid while `in` is not empty
    bool want_write = false;
    bool closing = false;  // in closing_: no more reads or writes
  };

  explicit TcpServer(RuntimeHolder* holder) : holder_(holder) {}
  void Run();
  void Accept(int listener);
  void OnReadable(Conn* c);
  void Frame(Conn* c);
  void Dispatch(const Decision& d, Conn* from);
  void Write(Conn* c, std::string_view bytes);
  void Flush(Conn* c);
  void MarkClosing(Conn* c);
  void Close(Conn* c);
  void Expire();
  void DrainInbox();
  void ReadUdp(int fd);
  Conn* FindConn(const forward::Endpoint& client);

  RuntimeHolder* holder_;
  std::vector<UniqueFd> listeners_;
  UniqueFd udp4_, udp6_, epoll_, wake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  WorkerCounters counters_;
  std::unique_ptr<Pipeline> pipeline_;
  uint64_t generation_ = 0;
  std::map<int, std::unique_ptr<Conn>> by_fd_;
  // Connections per client address (at most tcp.max-connections-per-source
  // each): the per-source cap and the response lookup.
  std::unordered_map<IpAddress, std::vector<Conn*>> by_ip_;
  std::vector<char> out_;
  std::unique_ptr<sip::Message> msg_ = std::make_unique<sip::Message>();
  std::vector<int> closing_;
  std::mutex inbox_mu_;
  std::deque<std::pair<forward::Endpoint, std::string>> inbox_;
  std::mutex error_mu_;
  std::optional<std::string> error_;
};

}  // namespace sipguard::server
