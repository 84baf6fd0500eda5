#include "forward/branch.h"

#include <cstring>

#include "sip/chars.h"
#include "sip/name_addr.h"
#include "sip/values.h"

namespace sipguard::forward {
namespace {

// The CSeq number as a value ("0068" and "68" are the same transaction).
uint64_t CSeqNumber(const sip::Message& msg) {
  const sip::HeaderField* h = msg.Find(sip::HeaderId::kCSeq);
  if (h == nullptr) return 0;
  uint64_t n = 0;
  for (char c : h->value) {
    if (!sip::IsDigit(c)) break;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > 0xffffffffULL) break;  // validated: cannot happen
  }
  return n;
}

std::string_view FromTag(const sip::Message& msg) {
  const sip::HeaderField* h = msg.Find(sip::HeaderId::kFrom);
  if (h == nullptr) return {};
  sip::NameAddr addr;
  sip::UriError uri_error = sip::UriError::kNone;
  if (sip::ParseNameAddr(h->value, sip::AddressForm::kFromTo, &addr, &uri_error) !=
      sip::NameAddrError::kNone) {
    return {};
  }
  return addr.tag;
}

}  // namespace

uint64_t TransactionHash(const sip::Message& msg, const sip::Via& top, const SipKey& key) {
  SipHasher h(key);
  h.Field(top.branch);
  h.Field(top.host);
  h.Word(top.port);
  const sip::HeaderField* call_id = msg.Find(sip::HeaderId::kCallId);
  h.Field(call_id != nullptr ? call_id->value : std::string_view());
  h.Word(CSeqNumber(msg));
  if (!top.branch.starts_with(kMagicCookie)) {
    h.Field(FromTag(msg));
    h.Field(msg.request_uri());
  }
  return h.Finish();
}

void PutBranch(uint64_t transaction_hash, char* out) {
  std::memcpy(out, kBranchPrefix.data(), kBranchPrefix.size());
  PutHex64(transaction_hash, out + kBranchPrefix.size());
}

void PutToTag(uint64_t transaction_hash, const SipKey& key, char* out) {
  SipHasher h(key);
  h.Field("to-tag");
  h.Word(transaction_hash);
  std::memcpy(out, kToTagPrefix.data(), kToTagPrefix.size());
  PutHex64(h.Finish(), out + kToTagPrefix.size());
}

}  // namespace sipguard::forward
