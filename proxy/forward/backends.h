// BackendSet and backend choice by rendezvous (highest-random-weight) hashing.
//
// Every request of a call (INVITE, its CANCEL and ACK, the BYE, re-INVITEs)
// carries the same Call-ID, so hashing the Call-ID sends them all to the
// same backend without any state in the proxy. With rendezvous hashing each
// backend gets a keyed score per Call-ID and the highest healthy score wins:
// when a backend dies only the calls it won move (each to its runner-up),
// and when it comes back exactly those calls return. No other call moves.
//
// Ownership: BackendSet is a plain value owned by the caller (the network
// layer flips `healthy` from its health checks and passes a consistent
// snapshot per call). Thread-safety: PickBackend reads only its arguments.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "forward/endpoint.h"
#include "forward/siphash.h"

namespace sipguard::forward {

struct Backend {
  Endpoint endpoint;
  bool healthy = true;
};

struct BackendSet {
  std::vector<Backend> backends;
};

// The healthy backend with the highest score for `call_id` under `key`, or
// nullptr when none is healthy. A backend's score depends only on the key,
// the Call-ID and its own endpoint, never on its position or on the other
// backends. Cost: one SipHash of the Call-ID plus a short one per backend.
const Backend* PickBackend(std::span<const Backend> backends, std::string_view call_id,
                           const SipKey& key);

}  // namespace sipguard::forward
