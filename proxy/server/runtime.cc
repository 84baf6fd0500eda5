#include "server/runtime.h"

#include <sys/random.h>

#include <array>

#include "forward/branch.h"

namespace sipguard::server {
namespace {

void RandomBytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(p + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
}

}  // namespace

std::string NewHealthToken() {
  std::array<unsigned char, 8> bytes{};
  RandomBytes(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(forward::kBranchPrefix);
  token += "hc";
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

forward::SipKey NewSecret() {
  forward::SipKey key{};
  while (key[0] == 0 && key[1] == 0) RandomBytes(key.data(), sizeof(key));
  return key;
}

Result<std::shared_ptr<const Runtime>> BuildRuntime(RuntimeInputs in, const Runtime* previous) {
  forward::ProxyIdentity identity;
  identity.listen = in.advertised;
  identity.secret = in.secret;
  Result<forward::Forwarder> forwarder = forward::Forwarder::Create(identity, in.config.forward);
  if (!forwarder.ok()) return Error("forwarding: " + forwarder.error().message());
  Result<detect::ScannerDetector> scanner = detect::ScannerDetector::Create(in.config.scanner);
  if (!scanner.ok()) return Error("scanner: " + scanner.error().message());
  auto health = std::make_shared<HealthTable>(in.config.backends, kHealthMissesToFail);
  std::vector<IpAddress> recent;
  auto now = std::chrono::steady_clock::now();
  if (previous != nullptr) {
    health->CopyStateFrom(*previous->health);
    for (const forward::Endpoint& b : previous->health->endpoints()) recent.push_back(b.ip);
    if (now < previous->recent_until) {
      recent.insert(recent.end(), previous->recent_backends.begin(),
                    previous->recent_backends.end());
    }
    // Bounded however often the operator reloads: the newest entries win.
    if (recent.size() > 256) recent.resize(256);
  }
  auto rt = std::make_shared<Runtime>(std::move(in.config), std::move(forwarder).value(),
                                      std::move(scanner).value(), std::move(health),
                                      std::move(in.health_token), in.workers == 0 ? 1 : in.workers,
                                      std::move(in.sink));
  rt->recent_backends = std::move(recent);
  rt->recent_until = now + kRecentBackendGrace;
  return std::shared_ptr<const Runtime>(std::move(rt));
}

}  // namespace sipguard::server
