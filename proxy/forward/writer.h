// Writer: appends bytes to a caller-provided, fixed-size buffer.
//
// The forwarding core builds every outgoing message with one Writer over the
// caller's buffer: no allocation, no copy but the final one. Writing past the
// end never touches memory outside the buffer; it sets overflow() and further
// writes are ignored, so a builder checks once at the end and reports an
// Error.
//
// Thread-safety: a plain value over memory the caller owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sip/message.h"

namespace sipguard::forward {

class Writer {
 public:
  explicit Writer(std::span<char> out) : out_(out) {}

  void Put(std::string_view s) {
    if (s.size() > out_.size() - size_) {
      overflow_ = true;
      return;
    }
    if (!s.empty()) std::memcpy(out_.data() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void Put(char c) { Put(std::string_view(&c, 1)); }
  void PutDecimal(uint64_t v) {
    char digits[20];
    size_t n = 0;
    do {
      digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    Put(std::string_view(digits + sizeof(digits) - n, n));
  }
  // A header line: name ": " value CRLF.
  void Header(std::string_view name, std::string_view value) {
    Put(name);
    Put(": ");
    Put(value);
    Put("\r\n");
  }

  bool overflow() const { return overflow_; }
  size_t size() const { return size_; }
  std::string_view view() const { return {out_.data(), size_}; }

 private:
  std::span<char> out_;
  size_t size_ = 0;
  bool overflow_ = false;
};

// Ends a forwarded message: Content-Length when the input had none (stream
// transports need it), the empty line, the body unchanged. Then the one
// overflow check of the builder: an Error naming `what` and the buffer size.
inline Status FinishForwarded(Writer* w, const sip::Message& msg, size_t capacity,
                              std::string_view what) {
  if (!msg.has_content_length()) {
    w->Put("Content-Length: ");
    w->PutDecimal(msg.body().size());
    w->Put("\r\n");
  }
  w->Put("\r\n");
  w->Put(msg.body());
  if (w->overflow()) {
    return Error("forwarded " + std::string(what) + " does not fit the " +
                 std::to_string(capacity) + "-byte output buffer");
  }
  return {};
}

}  // namespace sipguard::forward
