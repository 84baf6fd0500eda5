#include "ban/fail2ban_protocol.h"

#include <cstring>
#include <map>
#include <utility>

#include "common/sanitize.h"

namespace sipguard::ban::fail2ban {

namespace {

// Pickle opcodes (Lib/pickle.py names).
enum : uint8_t {
  kMark = '(',
  kStop = '.',
  kPop = '0',
  kPopMark = '1',
  kDup = '2',
  kBinInt = 'J',
  kBinInt1 = 'K',
  kBinInt2 = 'M',
  kNone = 'N',
  kReduce = 'R',
  kBinUnicode = 'X',
  kAppend = 'a',
  kBuild = 'b',
  kGlobal = 'c',
  kAppends = 'e',
  kBinGet = 'h',
  kLongBinGet = 'j',
  kEmptyList = ']',
  kBinPut = 'q',
  kLongBinPut = 'r',
  kSetItem = 's',
  kTuple = 't',
  kSetItems = 'u',
  kEmptyDict = '}',
  kEmptyTuple = ')',
  kBinFloat = 'G',
  kBinBytes = 'B',
  kShortBinBytes = 'C',
  kProto = 0x80,
  kNewObj = 0x81,
  kTuple1 = 0x85,
  kTuple2 = 0x86,
  kTuple3 = 0x87,
  kNewTrue = 0x88,
  kNewFalse = 0x89,
  kLong1 = 0x8a,
  kShortBinUnicode = 0x8c,
  kBinUnicode8 = 0x8d,
  kBinBytes8 = 0x8e,
  kEmptySet = 0x8f,
  kAddItems = 0x90,
  kFrozenSet = 0x91,
  kNewObjEx = 0x92,
  kStackGlobal = 0x93,
  kMemoize = 0x94,
  kFrame = 0x95,
};

void AppendLe32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A bounds-checked little-endian reader over the pickle bytes.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : b_(bytes) {}
  bool done() const { return pos_ >= b_.size(); }
  size_t pos() const { return pos_; }
  bool Byte(uint8_t* v) {
    if (pos_ >= b_.size()) return false;
    *v = static_cast<uint8_t>(b_[pos_++]);
    return true;
  }
  bool Le(size_t n, uint64_t* v) {
    if (b_.size() - pos_ < n) return false;
    uint64_t r = 0;
    for (size_t i = 0; i < n; ++i) r |= uint64_t{static_cast<uint8_t>(b_[pos_ + i])} << (8 * i);
    pos_ += n;
    *v = r;
    return true;
  }
  bool Bytes(uint64_t n, std::string_view* v) {
    if (b_.size() - pos_ < n) return false;
    *v = b_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool Line(std::string_view* v) {
    size_t nl = b_.find('\n', pos_);
    if (nl == std::string_view::npos) return false;
    *v = b_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return true;
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

struct Slot {
  bool mark = false;
  PickleValue value;
  size_t depth = 1;  // 1 for scalars
  size_t nodes = 1;  // values in this one, itself included
};

Error Bad(size_t pos, std::string_view why) {
  return Error("fail2ban reply: " + std::string(why) + " at byte " + std::to_string(pos));
}

std::string Hex(uint8_t op) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s.push_back(kDigits[op >> 4]);
  s.push_back(kDigits[op & 15]);
  return s;
}

}  // namespace

Status ValidateArgument(std::string_view arg) {
  if (arg.empty()) return Error("fail2ban: refusing an empty argument");
  if (arg.size() > kMaxArgLength) {
    return Error("fail2ban: refusing an argument of " + std::to_string(arg.size()) + " bytes");
  }
  for (char c : arg) {
    if (c < 0x20 || c > 0x7e) {
      return Error("fail2ban: refusing argument " + QuoteForError(arg) + ": not printable ASCII");
    }
  }
  if (arg.find(kEndMarker) != std::string_view::npos ||
      arg.find(kCloseMarker) != std::string_view::npos) {
    return Error("fail2ban: refusing argument " + QuoteForError(arg) +
                 ": contains a protocol marker");
  }
  return {};
}

Result<std::string> PickleStringList(std::span<const std::string> args) {
  if (args.size() > kMaxArgs) {
    return Error("fail2ban: refusing a command of " + std::to_string(args.size()) + " arguments");
  }
  std::string out;
  out.push_back(static_cast<char>(kProto));
  out.push_back(2);
  out.push_back(static_cast<char>(kEmptyList));
  if (args.size() > 1) out.push_back(static_cast<char>(kMark));
  for (const std::string& a : args) {
    if (Status s = ValidateArgument(a); !s.ok()) return s.error();
    out.push_back(static_cast<char>(kBinUnicode));
    AppendLe32(static_cast<uint32_t>(a.size()), &out);
    out += a;
  }
  if (args.size() > 1) out.push_back(static_cast<char>(kAppends));
  if (args.size() == 1) out.push_back(static_cast<char>(kAppend));
  out.push_back(static_cast<char>(kStop));
  return out;
}

Result<std::string> EncodeCommand(std::span<const std::string> args) {
  Result<std::string> p = PickleStringList(args);
  if (!p.ok()) return p;
  std::string out = std::move(p).value();
  out += kEndMarker;
  return out;
}

std::string PickleValue::ToString() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return integer != 0 ? "True" : "False";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kString: {
      std::string s = "'";
      SanitizeField(text, 200, &s);
      s += "'";
      return s;
    }
    case Kind::kList:
    case Kind::kTuple: {
      std::string s = kind == Kind::kList ? "[" : "(";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) s += ", ";
        s += items[i].ToString();
      }
      if (kind == Kind::kTuple && items.size() == 1) s += ",";
      s += kind == Kind::kList ? "]" : ")";
      return s;
    }
  }
  return "?";
}

Result<PickleValue> ReadPickle(std::string_view bytes) {
  if (bytes.size() > kMaxPickleBytes) return Bad(0, "too long");
  Cursor in(bytes);
  std::vector<Slot> stack;
  std::map<uint64_t, Slot> memo;
  size_t total_nodes = 0;

  auto push = [&](PickleValue v) -> bool {
    if (++total_nodes > kMaxPickleValues) return false;
    Slot s;
    s.value = std::move(v);
    stack.push_back(std::move(s));
    return true;
  };
  auto scalar = [](PickleValue::Kind kind, int64_t i) {
    PickleValue v;
    v.kind = kind;
    v.integer = i;
    return v;
  };
  // Index of the topmost mark, or npos.
  auto find_mark = [&]() -> size_t {
    for (size_t i = stack.size(); i > 0; --i) {
      if (stack[i - 1].mark) return i - 1;
    }
    return std::string_view::npos;
  };
  // Moves stack[from..] into the container at stack[into].
  auto move_into = [&](size_t into, size_t from) -> bool {
    Slot& c = stack[into];
    for (size_t i = from; i < stack.size(); ++i) {
      if (stack[i].mark) return false;
      c.depth = std::max(c.depth, stack[i].depth + 1);
      c.nodes += stack[i].nodes;
      c.value.items.push_back(std::move(stack[i].value));
    }
    stack.resize(from);
    return c.depth <= kMaxPickleDepth;
  };

  while (true) {
    size_t at = in.pos();
    uint8_t op = 0;
    if (!in.Byte(&op)) return Bad(at, "no STOP");
    uint64_t n = 0;
    std::string_view sv;
    switch (op) {
      case kProto: {
        uint8_t proto = 0;
        if (!in.Byte(&proto) || proto > 5) return Bad(at, "bad PROTO");
        break;
      }
      case kFrame:
        if (!in.Le(8, &n)) return Bad(at, "truncated FRAME");
        break;
      case kStop:
        if (!in.done()) return Bad(in.pos(), "bytes after STOP");
        if (stack.size() != 1 || stack[0].mark) return Bad(at, "STOP without exactly one value");
        return std::move(stack[0].value);
      case kNone:
        if (!push(PickleValue())) return Bad(at, "too many values");
        break;
      case kNewTrue:
      case kNewFalse:
        if (!push(scalar(PickleValue::Kind::kBool, op == kNewTrue ? 1 : 0))) {
          return Bad(at, "too many values");
        }
        break;
      case kBinInt1:
      case kBinInt2:
      case kBinInt: {
        size_t width = op == kBinInt1 ? 1 : op == kBinInt2 ? 2 : 4;
        if (!in.Le(width, &n)) return Bad(at, "truncated int");
        int64_t v = op == kBinInt ? int64_t{static_cast<int32_t>(static_cast<uint32_t>(n))}
                                  : static_cast<int64_t>(n);
        if (!push(scalar(PickleValue::Kind::kInt, v))) return Bad(at, "too many values");
        break;
      }
      case kLong1: {
        uint8_t len = 0;
        if (!in.Byte(&len) || len > 8 || !in.Le(len, &n)) return Bad(at, "unsupported LONG1");
        int64_t v = static_cast<int64_t>(n);
        if (len > 0 && len < 8 && (n >> (8 * len - 1) & 1) != 0) {
          v = static_cast<int64_t>(n | (~uint64_t{0} << (8 * len)));  // sign-extend
        }
        if (!push(scalar(PickleValue::Kind::kInt, v))) return Bad(at, "too many values");
        break;
      }
      case kShortBinUnicode:
      case kBinUnicode:
      case kBinUnicode8: {
        size_t width = op == kShortBinUnicode ? 1 : op == kBinUnicode ? 4 : 8;
        if (!in.Le(width, &n) || !in.Bytes(n, &sv)) return Bad(at, "truncated str");
        PickleValue v;
        v.kind = PickleValue::Kind::kString;
        v.text = std::string(sv);
        if (!push(std::move(v))) return Bad(at, "too many values");
        break;
      }
      case kEmptyList:
      case kEmptyTuple: {
        PickleValue v;
        v.kind = op == kEmptyList ? PickleValue::Kind::kList : PickleValue::Kind::kTuple;
        if (!push(std::move(v))) return Bad(at, "too many values");
        break;
      }
      case kMark: {
        Slot s;
        s.mark = true;
        stack.push_back(std::move(s));
        break;
      }
      case kAppend:
        if (stack.size() < 2 || stack.back().mark ||
            stack[stack.size() - 2].value.kind != PickleValue::Kind::kList ||
            stack[stack.size() - 2].mark) {
          return Bad(at, "bad APPEND");
        }
        if (!move_into(stack.size() - 2, stack.size() - 1)) return Bad(at, "too deep");
        break;
      case kAppends: {
        size_t m = find_mark();
        if (m == std::string_view::npos || m == 0 || stack[m - 1].mark ||
            stack[m - 1].value.kind != PickleValue::Kind::kList) {
          return Bad(at, "bad APPENDS");
        }
        if (!move_into(m - 1, m + 1)) return Bad(at, "too deep");
        stack.pop_back();  // the mark
        break;
      }
      case kTuple:
      case kTuple1:
      case kTuple2:
      case kTuple3: {
        size_t from = 0;
        if (op == kTuple) {
          from = find_mark();
          if (from == std::string_view::npos) return Bad(at, "TUPLE without MARK");
        } else {
          size_t count = op == kTuple1 ? 1 : op == kTuple2 ? 2 : 3;
          if (stack.size() < count) return Bad(at, "TUPLE of an empty stack");
          from = stack.size() - count;
        }
        Slot t;
        t.value.kind = PickleValue::Kind::kTuple;
        size_t first = op == kTuple ? from + 1 : from;
        stack.insert(stack.begin() + static_cast<std::ptrdiff_t>(first), std::move(t));
        if (++total_nodes > kMaxPickleValues) return Bad(at, "too many values");
        if (!move_into(first, first + 1)) return Bad(at, "bad TUPLE");
        if (op == kTuple) stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(from));
        break;
      }
      case kMemoize:
      case kBinPut:
      case kLongBinPut: {
        if (op == kMemoize) {
          n = memo.size();
        } else if (!in.Le(op == kBinPut ? 1 : 4, &n)) {
          return Bad(at, "truncated PUT");
        }
        if (stack.empty() || stack.back().mark) return Bad(at, "PUT of nothing");
        if (memo.size() >= kMaxPickleValues) return Bad(at, "memo too large");
        memo[n] = stack.back();
        break;
      }
      case kBinGet:
      case kLongBinGet: {
        if (!in.Le(op == kBinGet ? 1 : 4, &n)) return Bad(at, "truncated GET");
        auto it = memo.find(n);
        if (it == memo.end()) return Bad(at, "GET of an unknown memo entry");
        // A memoized list may have been filled after the PUT: a copy would
        // be stale, so shared lists are refused rather than mis-read.
        if (it->second.value.kind == PickleValue::Kind::kList) return Bad(at, "shared list");
        total_nodes += it->second.nodes;
        if (total_nodes > kMaxPickleValues) return Bad(at, "too many values");
        stack.push_back(it->second);
        break;
      }
      default: return Bad(at, "unsupported opcode " + Hex(op));
    }
  }
}

std::vector<std::string> LexPickleStrings(std::string_view bytes, size_t max_strings) {
  std::vector<std::string> raw;
  Cursor in(bytes.substr(0, std::min(bytes.size(), kMaxPickleBytes)));
  auto add = [&](std::string_view s) {
    std::string out;
    SanitizeField(s, 200, &out);
    raw.push_back(std::move(out));
  };
  while (raw.size() < max_strings + 2) {
    uint8_t op = 0;
    if (!in.Byte(&op)) break;
    uint64_t n = 0;
    std::string_view sv;
    bool ok = true;
    switch (op) {
      case kProto:
      case kBinInt1:
      case kBinPut:
      case kBinGet: ok = in.Le(1, &n); break;
      case kBinInt2: ok = in.Le(2, &n); break;
      case kBinInt:
      case kLongBinPut:
      case kLongBinGet: ok = in.Le(4, &n); break;
      case kFrame:
      case kBinFloat: ok = in.Le(8, &n); break;
      case kLong1: ok = in.Le(1, &n) && n <= 8 && in.Le(static_cast<size_t>(n), &n); break;
      case kShortBinUnicode:
      case kBinUnicode:
      case kBinUnicode8: {
        size_t width = op == kShortBinUnicode ? 1 : op == kBinUnicode ? 4 : 8;
        ok = in.Le(width, &n) && in.Bytes(n, &sv);
        if (ok) add(sv);
        break;
      }
      case kShortBinBytes:
      case kBinBytes:
      case kBinBytes8: {
        size_t width = op == kShortBinBytes ? 1 : op == kBinBytes ? 4 : 8;
        ok = in.Le(width, &n) && in.Bytes(n, &sv);
        break;
      }
      case kGlobal: {
        std::string_view module;
        ok = in.Line(&module) && in.Line(&sv);
        if (ok) add(std::string(module) + "." + std::string(sv));
        break;
      }
      case kStackGlobal:
        if (raw.size() >= 2) {
          std::string name = raw[raw.size() - 2] + "." + raw.back();
          raw.resize(raw.size() - 2);
          raw.push_back(std::move(name));
        }
        break;
      case kMark:
      case kStop:
      case kPop:
      case kPopMark:
      case kDup:
      case kNone:
      case kReduce:
      case kAppend:
      case kBuild:
      case kAppends:
      case kEmptyList:
      case kSetItem:
      case kTuple:
      case kSetItems:
      case kEmptyDict:
      case kEmptyTuple:
      case kNewObj:
      case kTuple1:
      case kTuple2:
      case kTuple3:
      case kNewTrue:
      case kNewFalse:
      case kEmptySet:
      case kAddItems:
      case kFrozenSet:
      case kNewObjEx:
      case kMemoize: break;
      default: ok = false; break;
    }
    if (!ok) break;
  }
  if (raw.size() > max_strings) raw.resize(max_strings);
  return raw;
}

Result<Reply> ParseReply(std::string_view bytes) {
  Result<PickleValue> v = ReadPickle(bytes);
  Reply reply;
  if (v.ok()) {
    if (v->kind == PickleValue::Kind::kString) {  // asyncserver's "ERROR: ..." answer
      reply.code = 1;
      SanitizeField(v->text, 400, &reply.error);
      return reply;
    }
    if (v->kind != PickleValue::Kind::kTuple || v->items.size() != 2 ||
        v->items[0].kind != PickleValue::Kind::kInt ||
        (v->items[0].integer != 0 && v->items[0].integer != 1)) {
      return Error("fail2ban reply: expected (code, value), got " + v->ToString().substr(0, 200));
    }
    reply.code = static_cast<int>(v->items[0].integer);
    if (reply.code == 0) {
      reply.value = std::move(v->items[1]);
    } else {
      reply.error = v->items[1].ToString().substr(0, 400);
    }
    return reply;
  }
  // Not decodable: acceptable only as a failure answer (1, <exception>),
  // i.e. PROTO [FRAME] BININT1 1 ..., described by its string constants.
  size_t p = 0;
  if (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == kProto) p = 2;
  if (bytes.size() >= p + 9 && static_cast<uint8_t>(bytes[p]) == kFrame) p += 9;
  if (bytes.size() >= p + 2 && static_cast<uint8_t>(bytes[p]) == kBinInt1 && bytes[p + 1] == 1) {
    reply.code = 1;
    std::vector<std::string> strings = LexPickleStrings(bytes);
    for (size_t i = 0; i < strings.size(); ++i) {
      if (i > 0) reply.error += ": ";
      reply.error += strings[i];
    }
    if (reply.error.empty()) reply.error = "(undescribed failure)";
    return reply;
  }
  return v.error();
}

}  // namespace sipguard::ban::fail2ban
