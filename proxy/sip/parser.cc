// Message framing and header splitting: one pass over the header section,
// one table load per byte.
#include <array>
#include <cstdint>
#include <cstring>

#include "sip/chars.h"
#include "sip/message.h"
#include "sip/numbers.h"

namespace sipguard::sip {
namespace {

// Bytes that end or break a line in the header section: CR, LF, and the
// control characters no header may carry (HTAB is white space, not control).
constexpr std::array<bool, 256> MakeSpecial() {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 0x20; ++c) t[c] = c != '\t';
  t[0x7f] = true;
  return t;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecial();

// True when data[i] is the escaped byte of a quoted-pair inside a quoted
// string, scanning quote state from `from` (the start of the header line the
// byte's value began on). Only called for the rare control byte.
bool IsQuotedPairInString(std::string_view data, size_t from, size_t i) {
  bool in_quote = false;
  for (size_t k = from; k < i; ++k) {
    char c = data[k];
    if (c == '"') {
      in_quote = !in_quote;
    } else if (in_quote && c == '\\') {
      if (k + 1 == i) return true;
      ++k;
    }
  }
  return false;
}

// Finds the end of the line starting at `pos`: on success *eol is the index
// of its CR (the line is data[pos, *eol), its CRLF at *eol). Returns kNone,
// kBadLineEnding, kControlCharacter, or kIncomplete when the data ends first.
// `quote_from` is where the header this line belongs to began (quote state
// spans folded lines).
ParseError FindLineEnd(std::string_view data, size_t pos, size_t quote_from, size_t* eol) {
  const size_t n = data.size();
  size_t i = pos;
  // Eight bytes at a time while none is special: a byte b is < 0x20 iff
  // (b - 0x20) borrows into its high bit while b's own high bit is clear;
  // 0x7f is found as a zero byte of b ^ 0x7f. HTAB is rare: any hit falls back
  // to the exact per-byte loop below.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
    uint64_t x = w ^ (kOnes * 0x7f);
    uint64_t del = (x - kOnes) & ~x & kHigh;
    if ((below_space | del) != 0) break;
    i += 8;
  }
  for (; i < n; ++i) {
    if (!kSpecial[static_cast<unsigned char>(data[i])]) continue;
    if (data[i] == '\r') {
      if (i + 1 == n) return ParseError::kIncomplete;
      if (data[i + 1] != '\n') return ParseError::kBadLineEnding;
      *eol = i;
      return ParseError::kNone;
    }
    if (data[i] == '\n') return ParseError::kBadLineEnding;
    // A control byte is legal only as a quoted-pair inside a quoted string
    // ("\\" CHAR, RFC 3261 §25.1; RFC 4475 intmeth).
    if (!IsQuotedPairInString(data, quote_from, i)) return ParseError::kControlCharacter;
  }
  return ParseError::kIncomplete;
}

bool StartsWithSipVersion(std::string_view line) {
  return line.size() >= 4 && EqualsIgnoreCase(line.substr(0, 4), "SIP/");
}

// Splits "A SP B SP C" at the first two spaces; C keeps any further spaces.
void SplitThree(std::string_view line, std::string_view* a, std::string_view* b,
                std::string_view* c) {
  size_t sp1 = line.find(' ');
  *a = line.substr(0, sp1);
  if (sp1 == std::string_view::npos) {
    *b = *c = {};
    return;
  }
  std::string_view rest = line.substr(sp1 + 1);
  size_t sp2 = rest.find(' ');
  *b = rest.substr(0, sp2);
  *c = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
}

}  // namespace

std::string_view ParseErrorText(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "no error";
    case ParseError::kEmpty: return "empty message";
    case ParseError::kBadStartLine: return "unparsable start line";
    case ParseError::kBadLineEnding: return "bare CR or LF in the header section";
    case ParseError::kControlCharacter: return "control character in the header section";
    case ParseError::kBadHeaderLine: return "unparsable header line";
    case ParseError::kTooManyHeaders: return "too many header fields";
    case ParseError::kUnterminatedHeaders: return "header section not terminated by an empty line";
    case ParseError::kBadContentLength: return "invalid Content-Length";
    case ParseError::kConflictingContentLength: return "more than one Content-Length";
    case ParseError::kTruncatedBody: return "body shorter than Content-Length";
    case ParseError::kMissingContentLength: return "no Content-Length on a stream transport";
    case ParseError::kIncomplete: return "incomplete message";
  }
  return "unknown parse error";
}

void Message::Reset() {
  bytes_ = start_line_ = method_ = request_uri_ = version_ = {};
  status_text_ = reason_ = body_ = {};
  header_count_ = 0;
  trailing_ = 0;
  count_.fill(0);
  is_request_ = false;
  has_content_length_ = false;
  headers_complete_ = false;
}

const HeaderField* Message::Find(HeaderId id) const {
  size_t i = static_cast<size_t>(id);
  return count_[i] == 0 ? nullptr : &headers_[first_[i]];
}

ParseError Parse(std::string_view data, Transport transport, Message* msg) {
  static_assert(Message::kMaxHeaders <= 256, "first_ holds header indexes in a byte");
  msg->Reset();
  const bool stream = transport == Transport::kStream;
  const size_t n = data.size();

  // RFC 3261 §7.5: ignore CRLFs before the start line (keep-alives).
  size_t start = 0;
  while (start + 1 < n && data[start] == '\r' && data[start + 1] == '\n') start += 2;
  // Only CRLFs: a keep-alive (RFC 5626 double-CRLF ping), nothing to parse.
  if (start >= n) return n == 0 && stream ? ParseError::kIncomplete : ParseError::kEmpty;

  size_t eol = 0;
  ParseError err = FindLineEnd(data, start, start, &eol);
  if (err == ParseError::kIncomplete) {
    return stream ? ParseError::kIncomplete : ParseError::kBadStartLine;
  }
  if (err != ParseError::kNone) return ParseError::kBadStartLine;
  std::string_view line = data.substr(start, eol - start);
  msg->start_line_ = line;
  if (StartsWithSipVersion(line)) {
    msg->is_request_ = false;
    SplitThree(line, &msg->version_, &msg->status_text_, &msg->reason_);
  } else {
    msg->is_request_ = true;
    SplitThree(line, &msg->method_, &msg->request_uri_, &msg->version_);
  }
  if (line.find(' ') == std::string_view::npos) return ParseError::kBadStartLine;

  // Header section. `current` is the field being extended by folded lines.
  HeaderField* current = nullptr;
  size_t value_begin = 0;
  size_t pos = eol + 2;
  auto finish = [&](size_t value_end) {
    if (current == nullptr) return;
    current->value = TrimLws(data.substr(value_begin, value_end - value_begin));
    current = nullptr;
  };
  size_t prev_eol = eol;
  bool terminated = false;
  size_t header_start = pos;  // first line of the field being built
  while (pos < n) {
    const bool folded = current != nullptr && (data[pos] == ' ' || data[pos] == '\t');
    err = FindLineEnd(data, pos, folded ? header_start : pos, &eol);
    if (err == ParseError::kIncomplete) break;
    if (err != ParseError::kNone) {
      finish(prev_eol);  // the field being built ends at the last good line
      return err;
    }
    if (eol == pos) {  // the empty line
      finish(prev_eol);
      pos += 2;
      terminated = true;
      msg->headers_complete_ = true;
      break;
    }
    if (data[pos] == ' ' || data[pos] == '\t') {  // folded continuation
      if (current == nullptr) return ParseError::kBadHeaderLine;
      prev_eol = eol;
      pos = eol + 2;
      continue;
    }
    finish(prev_eol);
    size_t name_end = pos;
    while (name_end < eol && IsTokenChar(data[name_end])) ++name_end;
    size_t colon = name_end;
    while (colon < eol && (data[colon] == ' ' || data[colon] == '\t')) ++colon;
    if (name_end == pos || colon == eol || data[colon] != ':') return ParseError::kBadHeaderLine;
    if (msg->header_count_ == Message::kMaxHeaders) return ParseError::kTooManyHeaders;
    current = &msg->headers_[msg->header_count_++];
    current->name = data.substr(pos, name_end - pos);
    current->value = {};  // never leave a view into a previous message
    header_start = pos;
    current->id = LookupHeader(current->name);
    size_t id = static_cast<size_t>(current->id);
    if (msg->count_[id] == 0) msg->first_[id] = static_cast<uint8_t>(msg->header_count_ - 1);
    if (msg->count_[id] < 255) ++msg->count_[id];
    value_begin = colon + 1;
    prev_eol = eol;
    pos = eol + 2;
  }
  if (!terminated) {
    if (stream) return ParseError::kIncomplete;
    finish(prev_eol);
    msg->bytes_ = data.substr(start);
    return ParseError::kUnterminatedHeaders;
  }

  // Content-Length framing (RFC 3261 §18.3, §20.14).
  size_t content_length = 0;
  const size_t cl_count = msg->Count(HeaderId::kContentLength);
  if (cl_count > 1) return ParseError::kConflictingContentLength;
  if (const HeaderField* cl = msg->Find(HeaderId::kContentLength); cl != nullptr) {
    uint64_t v = 0;
    if (!ParseDecimal(cl->value, Message::kMaxContentLength, &v)) {
      return ParseError::kBadContentLength;
    }
    content_length = static_cast<size_t>(v);
    msg->has_content_length_ = true;
  } else if (stream) {
    return ParseError::kMissingContentLength;
  }
  const size_t available = n - pos;
  if (!msg->has_content_length_) content_length = available;
  if (content_length > available) {
    if (stream) return ParseError::kIncomplete;
    msg->body_ = data.substr(pos);
    msg->bytes_ = data.substr(start);
    return ParseError::kTruncatedBody;
  }
  msg->body_ = data.substr(pos, content_length);
  msg->bytes_ = data.substr(start, pos + content_length - start);
  msg->trailing_ = stream ? 0 : available - content_length;
  return ParseError::kNone;
}

}  // namespace sipguard::sip
