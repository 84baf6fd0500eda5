// The control socket: a Unix stream socket where the proxy serves its
// counters as one JSON document per connection (`sipguard-proxy stats`).
//
// ControlServer binds `path` (mode 0660; a stale socket left by a crashed
// proxy is replaced, any other file there is an Error), and removes it when
// destroyed. The run loop polls fd() and calls Serve() when it is readable;
// Serve() accepts one client, writes the document with a short send timeout
// (a client that does not read cannot stall the proxy) and closes it.
// FetchStats() is the client side.
//
// Thread-safety: one thread per object.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/fd.h"

namespace sipguard::server {

inline constexpr std::string_view kDefaultControlPath = "/run/sipguard/proxy.sock";

class ControlServer {
 public:
  static Result<std::unique_ptr<ControlServer>> Create(const std::string& path);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  int fd() const { return fd_.get(); }
  // Accepts one pending client (if any) and sends it `document`.
  void Serve(std::string_view document);

 private:
  ControlServer(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

// Connects to `path` and reads the document (at most 1 MiB, 5 s).
Result<std::string> FetchStats(const std::string& path);

}  // namespace sipguard::server
