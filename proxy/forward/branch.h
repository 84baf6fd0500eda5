// Stateless branch ids and To tags (RFC 3261 §16.11, §8.2.6.2).
//
// A stateless proxy keeps no transaction table, so the branch it puts in its
// Via must be a pure function of the request: a retransmission gets the same
// branch, a CANCEL and an ACK for a non-2xx response get the branch of the
// INVITE they belong to (the next hop matches them by it), and a new
// transaction gets a new one. The hash is keyed with the proxy's secret, so
// nobody can craft a request whose branch collides with another's.
//
// Hashed (method-independent fields only, so INVITE, CANCEL and ACK agree):
//   the received top Via's branch and sent-by, the Call-ID, the CSeq number;
//   when the branch lacks the magic cookie (RFC 2543 peers) also the From
//   tag and the Request-URI. The To tag of §16.11's list is left out on
//   purpose: an ACK for a non-2xx carries the tag of the response while its
//   INVITE had none, and both must get the same branch.
//
// Thread-safety: pure functions. Cost: one SipHash over ~100 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "forward/siphash.h"
#include "sip/message.h"
#include "sip/via.h"

namespace sipguard::forward {

inline constexpr std::string_view kMagicCookie = "z9hG4bK";
// Every branch this proxy writes starts with this; with our sent-by it marks
// a Via entry as ours (loop detection, response routing).
inline constexpr std::string_view kBranchPrefix = "z9hG4bKsg";
inline constexpr size_t kHashHexDigits = 16;
inline constexpr size_t kBranchLength = kBranchPrefix.size() + kHashHexDigits;
inline constexpr std::string_view kToTagPrefix = "sg";
inline constexpr size_t kToTagLength = kToTagPrefix.size() + kHashHexDigits;

// The keyed hash of the transaction `msg` belongs to; `top` is its parsed
// top Via. Precondition: `msg` is a request that passed the validator.
uint64_t TransactionHash(const sip::Message& msg, const sip::Via& top, const SipKey& key);

// Writes kBranchPrefix + 16 hex digits (kBranchLength bytes) at `out`.
void PutBranch(uint64_t transaction_hash, char* out);

// Writes the To tag of a stateless reply (kToTagLength bytes) at `out`:
// derived from the transaction hash, so a retransmitted request gets the
// same tag, yet distinct from the branch.
void PutToTag(uint64_t transaction_hash, const SipKey& key, char* out);

}  // namespace sipguard::forward
