// libFuzzer target: parse + validate arbitrary bytes with both framings, and
// check the parser's invariants (every view lies inside the input; the body
// lies inside the message bytes). ASan/UBSan catch the rest.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sip/validator.h"

namespace {

using sipguard::sip::Message;

bool Inside(std::string_view outer, std::string_view inner) {
  if (inner.empty()) return true;
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

void CheckViews(std::string_view input, const Message& msg) {
  Require(Inside(input, msg.bytes()), "bytes() inside the input");
  Require(Inside(msg.bytes().empty() ? input : msg.bytes(), msg.body()), "body() inside bytes()");
  Require(Inside(input, msg.start_line()), "start_line() inside the input");
  Require(Inside(input, msg.method()) && Inside(input, msg.request_uri()) &&
              Inside(input, msg.version()) && Inside(input, msg.reason_phrase()),
          "start line parts inside the input");
  for (const auto& h : msg.headers()) {
    Require(Inside(input, h.name) && Inside(input, h.value), "header views inside the input");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Message* msg = new Message();  // reused, as the proxy does
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (auto transport : {sipguard::sip::Transport::kDatagram, sipguard::sip::Transport::kStream}) {
    sipguard::sip::ValidatorOptions options;
    options.transport = transport;
    sipguard::sip::Verdict v = sipguard::sip::ParseAndValidate(input, options, msg);
    CheckViews(input, *msg);
    // A verdict is coherent: a reply has a status, a drop or forward has none.
    Require((v.action == sipguard::sip::Action::kReply) == (v.status != 0),
            "a reply has a status and nothing else has");
  }
  return 0;
}
