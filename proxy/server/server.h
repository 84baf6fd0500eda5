// RunServer: sipguard-proxy as a running service. Binds every listen
// endpoint in every worker, starts the health checker and the control
// socket, tells systemd READY=1, and then serves signals and timers on the
// calling thread until SIGTERM or SIGINT:
//   SIGHUP   re-reads the configuration through ServerOptions::load and
//            applies backends, trusted networks, limits, the scanner list and
//            the event target without closing a socket (RELOADING=1 ...
//            READY=1). A bad new configuration is logged and the running
//            one kept. Listen endpoints and the worker count are fixed for
//            the life of the process (a change is logged: restart to apply).
//   timers   STATUS= with live counters every 5 s, WATCHDOG=1 when systemd
//            asked for it (WATCHDOG_USEC), backend up/down changes and event
//            output failures logged once each.
// Everything is reported through ServerOptions::log; this code never prints.
//
// Thread-safety: call once, from the main thread, before any other thread
// exists (it sets the signal mask every thread it creates inherits).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy_config.h"

namespace sipguard::server {

struct ServerOptions {
  // Reads the configuration again (file + the command line's flags) and
  // finishes it; an Error names file:line or the flag.
  std::function<Result<ProxyConfig>()> load;
  // priority as in syslog(3) (LOG_ERR, LOG_WARNING, LOG_INFO).
  std::function<void(int priority, std::string_view message)> log;
  std::string control_path;  // empty: no control socket
};

// Returns the exit status: 0 after a clean shutdown, 1 when the service
// could not start (a socket would not bind, ...), 2 for a configuration the
// runtime refuses (e.g. a log target that cannot be opened).
int RunServer(const ProxyConfig& config, const ServerOptions& options);

}  // namespace sipguard::server
