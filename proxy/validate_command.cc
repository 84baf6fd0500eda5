#include "validate_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <system_error>

#include "sip/validator.h"

namespace sipguard {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    // Read-only: a failing fclose loses nothing.
    if (f != nullptr && f != stdin) (void)std::fclose(f);
  }
};

// strerror() is not thread-safe; the generic category's message is.
std::string ErrnoText(int e) { return std::error_code(e, std::generic_category()).message(); }

std::string ActionText(const sip::Verdict& v) {
  switch (v.action) {
    case sip::Action::kForward: return "forward";
    case sip::Action::kReply: return "reply";
    case sip::Action::kDrop: return "drop";
  }
  return "drop";
}

void JsonString(std::ostream& out, std::string_view s) {
  out << '"';
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      (void)std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out << buf;
    } else {
      out << c;
    }
  }
  out << '"';
}

void WriteJson(std::ostream& out, const std::string& file, const sip::Verdict& v) {
  const sip::CheckInfo& info = sip::Describe(v.check);
  out << "{\"file\":";
  JsonString(out, file);
  out << ",\"valid\":" << (v.ok() ? "true" : "false") << ",\"action\":\"" << ActionText(v) << "\"";
  if (!v.ok()) {
    out << ",\"status\":" << v.status << ",\"check\":\"" << info.name
        << "\",\"retcode\":" << info.retcode << ",\"reason\":";
    JsonString(out, info.reason);
    out << ",\"detail\":";
    JsonString(out, v.detail);
    out << ",\"header\":";
    JsonString(out, v.header);
  }
  out << "}";
}

}  // namespace

Result<std::string> ReadMessageFile(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(path == "-" ? stdin : std::fopen(path.c_str(), "rb"));
  if (!f) return Error(path + ": " + ErrnoText(errno), errno);
  std::string data;
  char buf[65536];
  while (true) {
    size_t n = std::fread(buf, 1, sizeof buf, f.get());
    data.append(buf, n);
    if (data.size() > kMaxMessageFileSize) {
      return Error(path + ": larger than " + std::to_string(kMaxMessageFileSize) +
                   " bytes; not a SIP message");
    }
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) return Error(path + ": read error: " + ErrnoText(errno), errno);
  return data;
}

std::string DescribeVerdict(const sip::Verdict& v) {
  const sip::CheckInfo& info = sip::Describe(v.check);
  std::string s = v.action == sip::Action::kReply ? std::to_string(v.status) : "drop";
  s += ' ';
  s += info.reason;
  if (!v.detail.empty()) {
    s += ": ";
    s += v.detail;
  }
  if (!v.header.empty()) {
    s += " (";
    s += v.header;
    s += ')';
  }
  return s;
}

int RunValidate(const ValidateRequest& request, std::ostream& out, std::ostream& err) {
  bool any_invalid = false;
  bool any_io_error = false;
  bool first = true;
  sip::ValidatorOptions options;
  options.transport = request.transport;
  auto msg = std::make_unique<sip::Message>();  // ~6 KiB: keep it off the stack
  if (request.json) out << "[";
  for (const std::string& file : request.files) {
    Result<std::string> data = ReadMessageFile(file);
    if (!data.ok()) {
      err << "sipguard-proxy: " << data.error().message() << "\n";
      any_io_error = true;
      continue;
    }
    sip::Verdict v = sip::ParseAndValidate(*data, options, msg.get());
    any_invalid |= !v.ok();
    if (request.json) {
      out << (first ? "\n  " : ",\n  ");
      WriteJson(out, file, v);
    } else if (v.ok()) {
      out << file << ": ok\n";
    } else {
      out << file << ": invalid " << DescribeVerdict(v) << "\n";
    }
    first = false;
  }
  if (request.json) out << (first ? "]\n" : "\n]\n");
  if (any_io_error) return kExitUsageOrIo;
  return any_invalid ? kExitSomeInvalid : kExitAllValid;
}

}  // namespace sipguard
