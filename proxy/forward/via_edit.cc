#include "forward/via_edit.h"

#include <array>

#include "forward/endpoint.h"
#include "sip/chars.h"

namespace sipguard::forward {

ViaWalker::ViaWalker(const sip::Message& msg)
    : headers_(msg.headers()), left_(msg.Count(sip::HeaderId::kVia)) {}

bool ViaWalker::Next(ViaElement* out, bool parse) {
  std::string_view element;
  while (true) {
    if (field_ != nullptr && list_.Next(&element)) break;
    if (field_ != nullptr && list_.error()) return false;
    if (left_ == 0) return false;
    while (index_ < headers_.size() && headers_[index_].id != sip::HeaderId::kVia) ++index_;
    if (index_ == headers_.size()) return false;
    field_ = &headers_[index_++];
    list_ = sip::ListSplitter(field_->value);
    --left_;
  }
  out->field = field_;
  out->element = element;
  out->ok = !parse || sip::ParseVia(element, &out->via) == sip::ViaError::kNone;
  return true;
}

std::string_view RestAfter(const sip::HeaderField& field, std::string_view first) {
  std::string_view value = field.value;
  size_t at = static_cast<size_t>(first.data() + first.size() - value.data());
  while (at < value.size() && sip::IsLws(value[at])) ++at;
  if (at < value.size() && value[at] == ',') ++at;
  return sip::TrimLws(value.substr(at));
}

namespace {

// Index in `element` where the Via parameters begin (after sent-by).
size_t ParamsStart(std::string_view element, const sip::Via& via) {
  size_t i = static_cast<size_t>(via.host.data() + via.host.size() - element.data());
  auto skip_lws = [&] {
    while (i < element.size() && sip::IsLws(element[i])) ++i;
  };
  skip_lws();
  if (i < element.size() && element[i] == ':') {
    ++i;
    skip_lws();
    while (i < element.size() && sip::IsDigit(element[i])) ++i;
  }
  return i;
}

// The sent-by host is this very address (any spelling of it).
bool HostIs(const sip::Via& via, const IpAddress& ip) {
  if (via.host_kind != sip::HostKind::kIPv4 && via.host_kind != sip::HostKind::kIPv6) {
    return false;
  }
  std::string_view host = via.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  Result<IpAddress> parsed = IpAddress::Parse(host);
  return parsed.ok() && *parsed == ip;
}

}  // namespace

void WriteTopViaValue(Writer& w, const ViaElement& top, const IpAddress& src_ip, uint16_t src_port,
                      bool with_rest) {
  const sip::Via& via = top.via;
  bool add_received = via.has_rport || !HostIs(via, src_ip);
  std::string_view rest = with_rest ? RestAfter(*top.field, top.element) : std::string_view();
  if (!add_received && via.received.empty() && (with_rest || rest.empty())) {  // as written
    w.Put(top.field->value);
    return;
  }
  std::string_view element = top.element;
  size_t params = ParamsStart(element, via);
  w.Put(element.substr(0, params));
  // Copy every parameter but received and rport, which are rewritten.
  std::string_view s = element.substr(params);
  while (!s.empty()) {
    std::string_view before = s;
    std::string_view name, value;
    if (!sip::ParseOneParam(&s, &name, &value)) {  // validated: cannot happen
      w.Put(before);
      break;
    }
    std::string_view param = sip::TrimLws(before.substr(0, before.size() - s.size()));
    if (!sip::EqualsIgnoreCase(name, "received") && !sip::EqualsIgnoreCase(name, "rport")) {
      w.Put(param);
    }
  }
  if (add_received) {
    std::array<char, kMaxIpText> text{};
    w.Put(";received=");
    w.Put(std::string_view(text.data(), FormatIp(src_ip, /*brackets=*/false, text.data())));
  }
  if (via.has_rport) {
    w.Put(";rport=");
    w.PutDecimal(src_port);
  }
  if (!rest.empty()) {
    w.Put(", ");
    w.Put(rest);
  }
}

}  // namespace sipguard::forward
