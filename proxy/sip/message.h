// Message: a parsed SIP request or response, as views into the caller's bytes.
//
// Parsing is zero-copy: every string_view points into the buffer given to
// Parse(), which must outlive the Message and stay unchanged. A Message holds
// a fixed array of header fields, so parsing allocates nothing; a Message can
// be reused for the next datagram.
//
// The parser does framing and lexical structure only: the start line split
// into its parts, header lines (folding undone logically, not copied),
// Content-Length framing. The meaning of each value (URIs, Via, CSeq, ...) is
// checked by the validator (validator.h) and the value parsers.
//
// Thread-safety: a Message is a plain value; distinct Messages may be used
// from distinct threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sip/header_id.h"

namespace sipguard::sip {

// How the bytes arrived: framing rules differ (RFC 3261 §18.3).
enum class Transport : uint8_t {
  kDatagram,  // UDP: one message per datagram; Content-Length optional
  kStream,    // TCP/TLS: Content-Length mandatory; bytes may be incomplete
};

struct HeaderField {
  std::string_view name;  // as written, e.g. "v" or "VIA"
  // The value with leading and trailing white space removed. A folded value
  // keeps its CRLF+WSP sequences inside; value parsers treat them as LWS.
  std::string_view value;
  HeaderId id = HeaderId::kOther;
};

enum class ParseError : uint8_t {
  kNone = 0,
  kEmpty,                     // no start line at all (nothing, or only CRLF keep-alives)
  kBadStartLine,              // first line is neither a request nor a status line
  kBadLineEnding,             // bare CR or LF in the header section
  kControlCharacter,          // NUL or another control byte in the header section
  kBadHeaderLine,             // a header line without name or colon (OpenSIPS retcode -2)
  kTooManyHeaders,            // more than Message::kMaxHeaders header fields
  kUnterminatedHeaders,       // datagram whose header section has no empty line
  kBadContentLength,          // Content-Length is not a number in range
  kConflictingContentLength,  // more than one Content-Length: framing unknowable
  kTruncatedBody,             // datagram shorter than its Content-Length says
  kMissingContentLength,      // stream without Content-Length
  kIncomplete,                // stream: more bytes needed for one whole message
};

// Human text for a ParseError, e.g. "bare CR or LF in the header section".
std::string_view ParseErrorText(ParseError e);

class Message {
 public:
  // Limits on what an attacker controls. Generous for real traffic: RFC 4475's
  // longreq (53 lines, 28 Via lines) passes with room to spare.
  static constexpr size_t kMaxHeaders = 160;
  static constexpr size_t kMaxContentLength = 1 << 20;

  bool is_request() const { return is_request_; }

  // Request line (valid when is_request()): the three parts split at single
  // spaces. Oddities (double spaces, trailing space) show up as empty or
  // extra-long parts for the validator to judge.
  std::string_view method() const { return method_; }
  std::string_view request_uri() const { return request_uri_; }
  // SIP-Version of either start line.
  std::string_view version() const { return version_; }

  // Status line (valid when !is_request()).
  std::string_view status_code_text() const { return status_text_; }
  std::string_view reason_phrase() const { return reason_; }

  std::string_view start_line() const { return start_line_; }
  std::span<const HeaderField> headers() const { return {headers_.data(), header_count_}; }

  // First field with this id, or nullptr. Count() counts header lines of
  // that name (not the comma-separated values inside them), saturating at
  // 255. Both are O(1): the parser records them as it goes.
  const HeaderField* Find(HeaderId id) const;
  size_t Count(HeaderId id) const { return count_[static_cast<size_t>(id)]; }

  // The body as framed by Content-Length (or the rest of the datagram when
  // there is none); trailing bytes of a datagram beyond Content-Length are
  // not part of the message.
  std::string_view body() const { return body_; }
  bool has_content_length() const { return has_content_length_; }
  // The empty line ending the header section was seen.
  bool headers_complete() const { return headers_complete_; }
  // All bytes of this message: start line through the end of body().
  std::string_view bytes() const { return bytes_; }
  // Datagram bytes after body() that were ignored (RFC 4475 dblreq).
  size_t trailing_bytes() const { return trailing_; }

 private:
  friend ParseError Parse(std::string_view, Transport, Message*);
  void Reset();

  std::string_view bytes_, start_line_, method_, request_uri_, version_;
  std::string_view status_text_, reason_, body_;
  std::array<HeaderField, kMaxHeaders> headers_;
  size_t header_count_ = 0;
  size_t trailing_ = 0;
  static constexpr size_t kIds = static_cast<size_t>(HeaderId::kCount);
  std::array<uint8_t, kIds> count_{};  // header lines per HeaderId
  std::array<uint8_t, kIds> first_{};  // index of the first one, valid when count_ > 0
  bool is_request_ = false;
  bool has_content_length_ = false;
  bool headers_complete_ = false;
};

// Parses one message from `data` into *msg (reset first). On an error other
// than kEmpty/kBadStartLine, *msg holds everything parsed up to the error so
// the validator can still build a reply. Never reads outside `data`.
ParseError Parse(std::string_view data, Transport transport, Message* msg);

}  // namespace sipguard::sip
