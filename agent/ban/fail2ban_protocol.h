// The fail2ban client/server socket protocol, as fail2ban 0.10 .. 1.x speaks
// it on its Unix socket (fail2ban/client/csocket.py, server/asyncserver.py):
//
//   client: pickle(list of str) "<F2B_END_COMMAND>"
//   server: pickle((code, value)) "<F2B_END_COMMAND>"
//   client: "<F2B_CLOSE_COMMAND><F2B_END_COMMAND>" (optional, before closing)
//
// code 0 is success with the command's return value; code 1 is a failure whose
// value is the Python exception object (pickled with GLOBAL/REDUCE).
//
// Writing: EncodeCommand() writes pickle protocol 2 itself: exactly the bytes
// of pickletools.optimize(pickle.dumps(args, 2)) for a list of distinct str,
// i.e. PROTO 2, EMPTY_LIST, then MARK, BINUNICODE..., APPENDS (APPEND for one
// element), STOP. Arguments are restricted to printable ASCII (so UTF-8 is
// trivial) and may not contain either marker: a marker inside an argument
// would end the frame early and let the rest be read as a second command.
//
// Reading: nothing here unpickles. ReadPickle() is a small stack machine over
// the few opcodes that build None, bools, ints, str, lists and tuples (plus
// PROTO, FRAME and the memo opcodes); GLOBAL, STACK_GLOBAL, REDUCE, BUILD,
// NEWOBJ, INST, OBJ, PERSID and every other opcode make it fail, as do inputs
// over the size, depth or value budgets. For a failure reply (code 1), which
// contains an exception object, ParseReply() only lexes the bytes for their
// string constants to describe the failure ("builtins.ValueError: ...");
// lexing never constructs or calls anything.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sipguard::ban::fail2ban {

inline constexpr std::string_view kEndMarker = "<F2B_END_COMMAND>";
inline constexpr std::string_view kCloseMarker = "<F2B_CLOSE_COMMAND>";

// Longest argument EncodeCommand() accepts, and most arguments per command.
inline constexpr size_t kMaxArgLength = 1024;
inline constexpr size_t kMaxArgs = 256;

// Refuses an argument that is empty, longer than kMaxArgLength, not printable
// ASCII (0x20..0x7e), or contains a marker. The Error quotes the argument.
Status ValidateArgument(std::string_view arg);

// The pickle of `args` (see above), without the end marker.
Result<std::string> PickleStringList(std::span<const std::string> args);
// PickleStringList(args) + kEndMarker: one framed command.
Result<std::string> EncodeCommand(std::span<const std::string> args);

// A decoded value: only what ReadPickle() can build.
struct PickleValue {
  enum class Kind { kNone, kBool, kInt, kString, kList, kTuple };
  Kind kind = Kind::kNone;
  int64_t integer = 0;             // kBool (0/1), kInt
  std::string text;                // kString
  std::vector<PickleValue> items;  // kList, kTuple

  // Python-like text for messages: None, True, 3, 'pong', [1, 'a'], (0, 1).
  std::string ToString() const;
};

// Budgets of ReadPickle().
inline constexpr size_t kMaxPickleBytes = size_t{64} * 1024;
inline constexpr size_t kMaxPickleDepth = 32;
inline constexpr size_t kMaxPickleValues = 4096;

// Decodes a pickle (protocol 0..5 framing, the restricted opcode set above)
// that must end in STOP with exactly one value on the stack.
Result<PickleValue> ReadPickle(std::string_view bytes);

// The string constants of a pickle in order, GLOBAL/STACK_GLOBAL names joined
// as "module.name"; stops quietly at the first opcode it does not know. At most
// `max_strings` strings, each sanitized to printable ASCII of <= 200 bytes.
std::vector<std::string> LexPickleStrings(std::string_view bytes, size_t max_strings = 8);

struct Reply {
  int code = 0;       // 0 success, 1 failure
  PickleValue value;  // code 0: the command's return value
  std::string error;  // code 1: "builtins.ValueError: not banned" (lexed)
};

// Reads a server reply (without the end marker): a 2-tuple (int code, value).
// Fails when it is anything else.
Result<Reply> ParseReply(std::string_view bytes);

}  // namespace sipguard::ban::fail2ban
