// UdpWorker: one thread serving UDP. It owns one socket per UDP listen
// endpoint (SO_REUSEPORT: every worker binds the same ports and the kernel
// spreads datagrams among them by 4-tuple), one epoll, one Pipeline (its own
// detectors and Reporter), and receives and sends in batches of 32 with
// recvmmsg/sendmmsg.
//
// Replies go out of the socket the request came in on; forwarded messages go
// out of the first socket of the destination's address family (the one whose
// address the Forwarder put in Via), else the arriving one when it matches.
// Responses for TCP clients are handed to a StreamOut.
//
// Lifecycle: Create() opens and binds the sockets (so the caller can report
// READY only once every worker is bound); Start() runs the thread; Stop()
// (or the destructor) stops and joins it. Between batches the worker adopts
// a new Runtime published in the RuntimeHolder.
//
// Thread-safety: Start/Stop from one controlling thread; counters() and
// TakeError() from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "forward/endpoint.h"
#include "server/counters.h"
#include "server/fd.h"
#include "server/pipeline.h"
#include "server/runtime.h"
#include "server/stream_out.h"

namespace sipguard::server {

inline constexpr size_t kBatch = 32;

class UdpWorker {
 public:
  // `holder` (and `stream_out`, which may be null) must outlive the worker.
  static Result<std::unique_ptr<UdpWorker>> Create(const std::vector<forward::Endpoint>& listen,
                                                   RuntimeHolder* holder, StreamOut* stream_out);
  ~UdpWorker();
  UdpWorker(const UdpWorker&) = delete;
  UdpWorker& operator=(const UdpWorker&) = delete;

  void Start();
  void Stop();

  const WorkerCounters& counters() const { return counters_; }
  // A problem worth one log line (event sink failure, reload refused by a
  // detector), once; nullopt when there is none.
  std::optional<std::string> TakeError();

 private:
  struct Socket {
    forward::Endpoint endpoint;
    UniqueFd fd;
  };
  struct Out {
    size_t socket;
    forward::Endpoint destination;
    std::string_view bytes;
  };

  UdpWorker(RuntimeHolder* holder, StreamOut* stream_out)
      : holder_(holder), stream_out_(stream_out) {}
  void Run();
  void Drain(size_t socket);
  size_t SocketFor(const forward::Endpoint& destination, size_t arrived) const;
  void Flush(std::vector<Out>* outs);
  void NoteError(std::string message);

  RuntimeHolder* holder_;
  StreamOut* stream_out_;
  std::vector<Socket> sockets_;
  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd: Stop()
  std::atomic<bool> stop_{false};
  std::thread thread_;
  WorkerCounters counters_;
  std::unique_ptr<Pipeline> pipeline_;
  uint64_t generation_ = 0;
  std::vector<char> in_;   // kBatch x kMaxMessageBytes
  std::vector<char> out_;  // kBatch x kMaxMessageBytes
  std::mutex error_mu_;
  std::optional<std::string> error_;
};

}  // namespace sipguard::server
