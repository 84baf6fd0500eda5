// Via list helpers for the forwarding core: walking the Via elements of a
// message across header lines, and the edits a proxy makes to them (RFC
// 3261 §18.2.1 received, RFC 3581 rport, removing its own entry).
//
// Zero-copy: ViaElement views point into the message; the writers emit
// pieces of the original value around the edits. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/ip_address.h"
#include "forward/writer.h"
#include "sip/message.h"
#include "sip/values.h"
#include "sip/via.h"

namespace sipguard::forward {

struct ViaElement {
  const sip::HeaderField* field = nullptr;  // the header line holding it
  std::string_view element;                 // inside field->value, LWS-trimmed
  sip::Via via;                             // parsed
  bool ok = false;                          // ParseVia succeeded
};

// Iterates the Via elements of a message in order, across header lines.
class ViaWalker {
 public:
  explicit ViaWalker(const sip::Message& msg);
  // Next element into *out (parsed when `parse`); false at the end or on a
  // malformed list.
  bool Next(ViaElement* out, bool parse = true);

 private:
  std::span<const sip::HeaderField> headers_;
  size_t index_ = 0;
  const sip::HeaderField* field_ = nullptr;
  sip::ListSplitter list_{{}};
  size_t left_;  // Via lines not yet entered
};

// A header line exactly as received, without its CRLF: "Name: value".
inline std::string_view LineOf(const sip::HeaderField& h) {
  const char* end = h.value.data() + h.value.size();
  if (h.value.data() == nullptr || end < h.name.data()) return {};
  return {h.name.data(), static_cast<size_t>(end - h.name.data())};
}

// The value of `field` after its first element `first` and the comma that
// follows it, LWS-trimmed; empty when `first` was the only element.
std::string_view RestAfter(const sip::HeaderField& field, std::string_view first);

// Writes the value of the top Via line with its first element edited for a
// request received from src_ip:src_port: received= when the sent-by host is
// not that address or the client asked for rport, rport= filled in when
// present (RFC 3581 §4). Parameters the edit replaces are dropped from the
// original; everything else is copied as written, as are the line's further
// elements unless `with_rest` is false.
void WriteTopViaValue(Writer& w, const ViaElement& top, const IpAddress& src_ip, uint16_t src_port,
                      bool with_rest = true);

}  // namespace sipguard::forward
