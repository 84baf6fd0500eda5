#include "ban/nftables_backend.h"

#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace sipguard::ban {

namespace {

// Defence in depth: the canonical text of an address or network only ever
// holds these characters, so nothing else can reach nft's parser.
bool IsCanonicalAddressText(std::string_view s) {
  if (s.empty() || s.size() > IpAddress::kMaxTextLength + 4) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.' || c == ':' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// What goes between the braces of an element: the address for a host, the
// network ("a/len") for an interval set.
std::string ElementText(const Cidr& who) {
  return who.prefix_len() == who.address().max_prefix_len() ? who.address().ToString()
                                                            : who.ToString();
}

std::string SetRef(std::string_view set) {
  std::string s = std::string(NftablesBackend::kFamily) + " " +
                  std::string(NftablesBackend::kTable) + " " + std::string(set);
  return s;
}

// nft's error buffer as one line: "Error: ...; <the command>" (caret lines dropped).
std::string OneLine(const char* text) {
  std::string out;
  if (text == nullptr) return out;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t^~") == std::string_view::npos) continue;
    if (!out.empty()) out += "; ";
    for (char c : line) out.push_back(c == '\t' ? ' ' : c);
    if (out.size() > 600) {
      out.resize(600);
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace

void NftablesBackend::CtxDeleter::operator()(nft_ctx* ctx) const { nft_ctx_free(ctx); }

NftablesBackend::NftablesBackend() = default;
NftablesBackend::~NftablesBackend() = default;

std::string_view NftablesBackend::SetFor(const Cidr& who) {
  bool host = who.prefix_len() == who.address().max_prefix_len();
  if (who.address().is_v4()) return host ? kSetV4 : kNetSetV4;
  return host ? kSetV6 : kNetSetV6;
}

std::string NftablesBackend::StartCommands() {
  const std::string table = std::string(kFamily) + " " + std::string(kTable);
  const std::string chain = table + " " + std::string(kChain);
  std::string c;
  c += "add table " + table + "\n";
  c += "add set " + SetRef(kSetV4) + " { type ipv4_addr; flags timeout; }\n";
  c += "add set " + SetRef(kSetV6) + " { type ipv6_addr; flags timeout; }\n";
  c += "add set " + SetRef(kNetSetV4) + " { type ipv4_addr; flags interval, timeout; }\n";
  c += "add set " + SetRef(kNetSetV6) + " { type ipv6_addr; flags interval, timeout; }\n";
  c += "add chain " + chain + " { type filter hook prerouting priority " +
       std::to_string(kHookPriority) + "; policy accept; }\n";
  c += "flush chain " + chain + "\n";
  c += "add rule " + chain + " ip saddr @" + std::string(kSetV4) + " counter drop\n";
  c += "add rule " + chain + " ip saddr @" + std::string(kNetSetV4) + " counter drop\n";
  c += "add rule " + chain + " ip6 saddr @" + std::string(kSetV6) + " counter drop\n";
  c += "add rule " + chain + " ip6 saddr @" + std::string(kNetSetV6) + " counter drop\n";
  return c;
}

Status NftablesBackend::Run(std::string_view what, const std::string& commands) {
  if (!ctx_) return Error("nftables: " + std::string(what) + ": backend not started");
  int rc = nft_run_cmd_from_buffer(ctx_.get(), commands.c_str());
  // Read both buffers every time: reading resets them for the next command.
  std::string err = OneLine(nft_ctx_get_error_buffer(ctx_.get()));
  (void)nft_ctx_get_output_buffer(ctx_.get());
  if (rc == 0) return {};
  if (err.empty()) err = "libnftables failed (no message)";
  return Error("nftables: " + std::string(what) + ": " + err);
}

Status NftablesBackend::Start() {
  if (!ctx_) {
    // libnftables exit()s when it cannot open its netlink socket: find out first.
    int probe = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (probe < 0) {
      int err = errno;
      return Error("nftables: start: netlink socket: " +
                       std::error_code(err, std::generic_category()).message(),
                   err);
    }
    ::close(probe);
    nft_ctx* raw = nft_ctx_new(NFT_CTX_DEFAULT);
    if (raw == nullptr) return Error("nftables: start: nft_ctx_new failed");
    ctx_.reset(raw);
    if (nft_ctx_buffer_output(ctx_.get()) != 0 || nft_ctx_buffer_error(ctx_.get()) != 0) {
      ctx_.reset();
      return Error("nftables: start: cannot buffer libnftables output");
    }
  }
  Status s = Run("start (table inet sipguard)", StartCommands());
  if (!s.ok()) ctx_.reset();
  return s;
}

Status NftablesBackend::Ban(const Cidr& who, std::chrono::seconds duration) {
  const std::string what = "ban " + who.ToString();
  if (!ctx_) return Error("nftables: " + what + ": backend not started");
  if (Status s = ValidateBanTarget(who); !s.ok()) return Error("nftables: " + s.error().message());
  if (Status s = ValidateBanDuration(duration); !s.ok()) {
    return Error("nftables: " + what + ": " + s.error().message());
  }
  const std::string elem = ElementText(who);
  if (!IsCanonicalAddressText(elem)) {
    return Error("nftables: " + what + ": unexpected address text");
  }
  const std::string set = SetRef(SetFor(who));
  const std::string timed = "{ " + elem + " timeout " + std::to_string(duration.count()) + "s }";
  // add (no-op if present), delete (now certainly present), add with the new
  // timeout: one transaction, so the element is never absent in between.
  std::string c;
  c += "add element " + set + " " + timed + "\n";
  c += "delete element " + set + " { " + elem + " }\n";
  c += "add element " + set + " " + timed + "\n";
  return Run(what, c);
}

Status NftablesBackend::Unban(const Cidr& who) {
  const std::string what = "unban " + who.ToString();
  if (!ctx_) return Error("nftables: " + what + ": backend not started");
  const std::string elem = ElementText(who);
  if (!IsCanonicalAddressText(elem)) {
    return Error("nftables: " + what + ": unexpected address text");
  }
  const std::string set = SetRef(SetFor(who));
  // add + delete in one transaction: deleting an absent element succeeds.
  std::string c;
  c += "add element " + set + " { " + elem + " timeout 1s }\n";
  c += "delete element " + set + " { " + elem + " }\n";
  return Run(what, c);
}

Status NftablesBackend::Flush() {
  std::string c;
  for (std::string_view set : {kSetV4, kSetV6, kNetSetV4, kNetSetV6}) {
    c += "flush set " + SetRef(set) + "\n";
  }
  return Run("flush", c);
}

Status NftablesBackend::Stop() {
  ctx_.reset();
  return {};
}

}  // namespace sipguard::ban
