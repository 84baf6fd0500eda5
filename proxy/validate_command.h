// `sipguard-proxy validate`: checks raw SIP message files offline and prints
// one verdict per file, as the running proxy would judge them.
//
// Output, one line per file:   FILE: ok
//                              FILE: invalid <status|drop> <reason>[: <detail>] [(<header>)]
// or with json=true a JSON array of objects (see README "validate --json").
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/result.h"
#include "sip/message.h"
#include "sip/verdict.h"

namespace sipguard {

struct ValidateRequest {
  std::vector<std::string> files;  // "-" = standard input
  sip::Transport transport = sip::Transport::kDatagram;
  bool json = false;
};

// Exit codes, as documented for the command.
inline constexpr int kExitAllValid = 0;
inline constexpr int kExitSomeInvalid = 1;
inline constexpr int kExitUsageOrIo = 2;

// Files larger than this are refused (a message is at most 64 KiB over UDP;
// the stream limit is the parser's Content-Length cap plus headers).
inline constexpr size_t kMaxMessageFileSize = 2u << 20;

// Reads a whole file (or stdin for "-"), bytes exact. Errors name the file.
Result<std::string> ReadMessageFile(const std::string& path);

// Runs the command: verdicts to `out`, I/O errors to `err` (and processing
// continues with the next file). Returns one of the exit codes above: I/O
// errors win over invalid messages.
int RunValidate(const ValidateRequest& request, std::ostream& out, std::ostream& err);

// The text after "invalid " for a rejected verdict, e.g.
// "400 malformed Via: bad Via sent-by (Via)".
std::string DescribeVerdict(const sip::Verdict& verdict);

}  // namespace sipguard
