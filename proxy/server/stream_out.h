// StreamOut: how a UDP worker hands a response for a TCP client to the
// thread that owns that client's connection.
//
// Thread-safety: Send() may be called from any thread; it copies the bytes
// and returns without waiting for the network.
#pragma once

#include <string_view>

#include "forward/endpoint.h"

namespace sipguard::server {

class StreamOut {
 public:
  virtual ~StreamOut() = default;
  // Queues `bytes` for the connection of the client at `client`. False when
  // there is no such connection (or its queue is full): the caller counts a
  // drop.
  virtual bool Send(const forward::Endpoint& client, std::string_view bytes) = 0;
};

}  // namespace sipguard::server
