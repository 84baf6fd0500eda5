#include "sip/values.h"

#include <array>

#include "sip/chars.h"

namespace sipguard::sip {
namespace {

void SkipLws(std::string_view s, size_t* i) {
  while (*i < s.size() && IsLws(s[*i])) ++(*i);
}

// gen-value characters other than quoted strings: token / host (host adds
// the IPv6 reference characters).
bool IsGenValueChar(char c) { return IsTokenChar(c) || c == '[' || c == ']' || c == ':'; }

}  // namespace

bool SkipQuotedString(std::string_view s, size_t pos, size_t* end) {
  if (pos >= s.size() || s[pos] != '"') return false;
  for (size_t i = pos + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      *end = i + 1;
      return true;
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F); the header splitter
      // already rejected raw NUL and bare CR/LF.
      if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n' ||
          static_cast<unsigned char>(s[i + 1]) > 0x7f) {
        return false;
      }
      ++i;
    } else if (c == '\r') {
      // A folded line inside a quoted string is LWS, which qdtext allows.
      if (i + 2 >= s.size() || s[i + 1] != '\n' || (s[i + 2] != ' ' && s[i + 2] != '\t')) {
        return false;
      }
    }
  }
  return false;
}

// Bytes the list splitter must look at; everything else is skipped.
constexpr std::array<bool, 256> MakeListSpecial() {
  std::array<bool, 256> t{};
  t['"'] = t['<'] = t['>'] = t[','] = true;
  return t;
}
constexpr std::array<bool, 256> kListSpecial = MakeListSpecial();

bool ListSplitter::Next(std::string_view* element) {
  if (done_ || error_) return false;
  size_t i = 0;
  bool in_angle = false;
  const size_t n = rest_.size();
  while (i < n) {
    while (i < n && !kListSpecial[static_cast<unsigned char>(rest_[i])]) ++i;
    if (i == n) break;
    char c = rest_[i];
    if (c == '"' && !in_angle) {
      size_t end = 0;
      if (!SkipQuotedString(rest_, i, &end)) {
        error_ = true;
        return false;
      }
      i = end;
      continue;
    }
    if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      break;
    }
    ++i;
  }
  if (in_angle || ++count_ > kMaxListElements) {
    error_ = true;
    return false;
  }
  *element = TrimLws(rest_.substr(0, i));
  if (i == rest_.size()) {
    done_ = true;
  } else {
    rest_.remove_prefix(i + 1);
  }
  if (element->empty()) {
    error_ = true;
    return false;
  }
  return true;
}

bool ParseOneParam(std::string_view* s, std::string_view* name, std::string_view* value) {
  std::string_view in = *s;
  if (in.empty() || in[0] != ';') return false;
  size_t i = 1;
  SkipLws(in, &i);
  size_t name_begin = i;
  while (i < in.size() && IsTokenChar(in[i])) ++i;
  if (i == name_begin) return false;
  *name = in.substr(name_begin, i - name_begin);
  *value = {};
  size_t after_name = i;
  SkipLws(in, &i);
  if (i < in.size() && in[i] == '=') {
    ++i;
    SkipLws(in, &i);
    size_t value_begin = i;
    if (i < in.size() && in[i] == '"') {
      size_t end = 0;
      if (!SkipQuotedString(in, i, &end)) return false;
      i = end;
    } else {
      while (i < in.size() && IsGenValueChar(in[i])) ++i;
    }
    if (i == value_begin) return false;
    *value = in.substr(value_begin, i - value_begin);
  } else {
    i = after_name;
  }
  // Only LWS may separate this parameter from the next ';' or the end.
  size_t j = i;
  SkipLws(in, &j);
  if (j < in.size() && in[j] != ';') return false;
  s->remove_prefix(j);
  return true;
}

}  // namespace sipguard::sip
