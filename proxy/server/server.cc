#include "server/server.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>

#include <array>
#include <cerrno>
#include <memory>
#include <thread>
#include <vector>

#include "report/event_sink.h"
#include "server/control.h"
#include "server/counters.h"
#include "server/health.h"
#include "server/net.h"
#include "server/runtime.h"
#include "server/tcp_server.h"
#include "server/udp_worker.h"

namespace sipguard::server {
namespace {

constexpr int64_t kStatusEveryMs = 5000;

struct Service {
  const ServerOptions* options = nullptr;
  RuntimeHolder* holder = nullptr;
  std::vector<std::unique_ptr<UdpWorker>> workers;
  std::unique_ptr<TcpServer> tcp;
  std::unique_ptr<ControlServer> control;
  forward::SipKey secret{};
  std::string health_token;
  std::vector<bool> last_health;
  const HealthTable* last_table = nullptr;

  void Log(int priority, const std::string& message) const { options->log(priority, message); }

  Totals Collect() const {
    std::vector<const WorkerCounters*> all;
    all.reserve(workers.size());
    for (const auto& w : workers) all.push_back(&w->counters());
    if (tcp) all.push_back(&tcp->counters());
    Totals t = Sum(all);
    std::shared_ptr<const Runtime> rt = holder->Get();
    for (size_t i = 0; i < rt->health->size(); ++i) {
      t.backends.push_back({EndpointText(rt->health->endpoints()[i]), rt->health->healthy(i)});
    }
    return t;
  }

  // Logs backend up/down changes and worker problems.
  void Watch() {
    std::shared_ptr<const Runtime> rt = holder->Get();
    const HealthTable& table = *rt->health;
    if (&table != last_table) {
      last_table = &table;
      last_health.assign(table.size(), true);
    }
    for (size_t i = 0; i < table.size(); ++i) {
      bool up = table.healthy(i);
      if (up == last_health[i]) continue;
      last_health[i] = up;
      Log(up ? LOG_NOTICE : LOG_WARNING, "backend " + EndpointText(table.endpoints()[i]) +
                                             (up ? " is answering again" : " stopped answering"));
    }
    for (const auto& w : workers) {
      if (std::optional<std::string> e = w->TakeError()) Log(LOG_ERR, *e);
    }
    if (tcp) {
      if (std::optional<std::string> e = tcp->TakeError()) Log(LOG_ERR, *e);
    }
  }

  Result<std::shared_ptr<const Runtime>> Build(ProxyConfig config, std::shared_ptr<EventSink> sink,
                                               const Runtime* previous) const {
    RuntimeInputs in;
    in.advertised = AdvertisedEndpoints(config.listen, config.backends);
    in.config = std::move(config);
    in.secret = secret;
    in.health_token = health_token;
    in.workers = static_cast<unsigned>(workers.empty() ? 1 : workers.size());
    in.sink = std::move(sink);
    return BuildRuntime(std::move(in), previous);
  }

  void Reload() {
    (void)sd_notify(0, "RELOADING=1");
    std::shared_ptr<const Runtime> old = holder->Get();
    Result<ProxyConfig> next = options->load();
    if (!next.ok()) {
      Log(LOG_ERR, "reload failed, keeping the running configuration: " + next.error().message());
      (void)sd_notify(0, "READY=1");
      return;
    }
    if (next->listen != old->config.listen) {
      Log(LOG_WARNING,
          "listen endpoints changed: restart the proxy to apply; keeping the old ones");
      next->listen = old->config.listen;
    }
    if (next->workers != old->config.workers) {
      Log(LOG_WARNING, "worker count changed: restart the proxy to apply");
    }
    std::shared_ptr<EventSink> sink = old->sink;
    if (next->log_target != old->config.log_target) {
      Result<std::unique_ptr<EventSink>> s = MakeEventSink(next->log_target);
      if (!s.ok()) {
        Log(LOG_ERR, "reload failed, keeping the running configuration: " + s.error().message());
        (void)sd_notify(0, "READY=1");
        return;
      }
      sink = std::move(s).value();
    }
    size_t backends = next->backends.size();
    Result<std::shared_ptr<const Runtime>> rt = Build(std::move(next).value(), sink, old.get());
    if (!rt.ok()) {
      Log(LOG_ERR, "reload failed, keeping the running configuration: " + rt.error().message());
    } else {
      holder->Publish(std::move(rt).value());
      Log(LOG_INFO, "configuration reloaded (" + std::to_string(backends) + " backends)");
    }
    (void)sd_notify(0, "READY=1");
  }
};

}  // namespace

int RunServer(const ProxyConfig& config, const ServerOptions& options) {
  // Signals are read from a signalfd on this thread; every thread created
  // below inherits the mask and never sees them.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  (void)pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  (void)signal(SIGPIPE, SIG_IGN);  // NOLINT(cert-err33-c): the old handler is of no use
  UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) {
    options.log(LOG_ERR, ErrnoError("signalfd", errno).message());
    return 1;
  }

  Result<std::unique_ptr<EventSink>> sink = MakeEventSink(config.log_target);
  if (!sink.ok()) {
    options.log(LOG_ERR, "--log-target: " + sink.error().message());
    return 2;
  }
  Service svc;
  svc.options = &options;
  svc.secret = NewSecret();
  svc.health_token = NewHealthToken();
  unsigned n = config.workers != 0 ? config.workers : std::thread::hardware_concurrency();
  if (n == 0) n = 1;

  // The first runtime is built for n workers before they exist.
  RuntimeInputs in;
  in.advertised = AdvertisedEndpoints(config.listen, config.backends);
  in.config = config;
  in.secret = svc.secret;
  in.health_token = svc.health_token;
  in.workers = n;
  in.sink = std::shared_ptr<EventSink>(std::move(sink).value());
  Result<std::shared_ptr<const Runtime>> rt = BuildRuntime(std::move(in), nullptr);
  if (!rt.ok()) {
    options.log(LOG_ERR, rt.error().message());
    return 2;
  }
  RuntimeHolder holder(std::move(rt).value());
  svc.holder = &holder;

  Result<std::unique_ptr<TcpServer>> tcp = TcpServer::Create(config.listen, &holder);
  if (!tcp.ok()) {
    options.log(LOG_ERR, tcp.error().message());
    return 1;
  }
  svc.tcp = std::move(tcp).value();
  for (unsigned i = 0; i < n; ++i) {
    Result<std::unique_ptr<UdpWorker>> w = UdpWorker::Create(config.listen, &holder, svc.tcp.get());
    if (!w.ok()) {
      options.log(LOG_ERR, w.error().message());
      return 1;
    }
    svc.workers.push_back(std::move(w).value());
  }
  if (!options.control_path.empty()) {
    // Stats are not worth refusing SIP service over: say so and go on.
    Result<std::unique_ptr<ControlServer>> c = ControlServer::Create(options.control_path);
    if (c.ok()) {
      svc.control = std::move(c).value();
    } else {
      options.log(LOG_WARNING, "no control socket (stats): " + c.error().message());
    }
  }
  Result<std::unique_ptr<HealthChecker>> health = HealthChecker::Create(&holder);
  if (!health.ok()) {
    options.log(LOG_ERR, health.error().message());
    return 1;
  }

  uint64_t watchdog_usec = 0;
  bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0;
  int64_t tick_ms = 1000;
  if (watchdog) {
    tick_ms =
        std::max<int64_t>(50, std::min<int64_t>(1000, static_cast<int64_t>(watchdog_usec / 2000)));
  }
  UniqueFd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  itimerspec spec{};
  spec.it_interval.tv_sec = tick_ms / 1000;
  spec.it_interval.tv_nsec = (tick_ms % 1000) * 1000000;
  spec.it_value = spec.it_interval;
  if (!timer.valid() || ::timerfd_settime(timer.get(), 0, &spec, nullptr) != 0) {
    options.log(LOG_ERR, ErrnoError("timerfd", errno).message());
    return 1;
  }

  for (auto& w : svc.workers) w->Start();
  svc.tcp->Start();
  (*health)->Start();
  std::string listening;
  for (const forward::Endpoint& ep : config.listen) listening += " " + EndpointText(ep);
  options.log(LOG_INFO, "listening on" + listening + " with " + std::to_string(n) + " workers");
  (void)sd_notify(0, ("READY=1\nSTATUS=" + ToStatusLine(svc.Collect())).c_str());

  int64_t ticks = 0;
  bool running = true;
  while (running) {
    std::array<pollfd, 3> fds{};
    fds[0] = {sigfd.get(), POLLIN, 0};
    fds[1] = {timer.get(), POLLIN, 0};
    fds[2] = {svc.control ? svc.control->fd() : -1, POLLIN, 0};
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo si{};
      while (::read(sigfd.get(), &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
        if (si.ssi_signo == SIGHUP) {
          svc.Reload();
        } else {
          running = false;
        }
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      uint64_t expirations = 0;
      (void)!::read(timer.get(), &expirations, sizeof(expirations));
      svc.Watch();
      if (watchdog) (void)sd_notify(0, "WATCHDOG=1");
      if (++ticks * tick_ms >= kStatusEveryMs) {
        ticks = 0;
        (void)sd_notify(0, ("STATUS=" + ToStatusLine(svc.Collect())).c_str());
      }
    }
    if ((fds[2].revents & POLLIN) != 0) svc.control->Serve(ToJson(svc.Collect()));
  }
  (void)sd_notify(0, "STOPPING=1");
  options.log(LOG_INFO, "shutting down");
  (*health)->Stop();
  for (auto& w : svc.workers) w->Stop();
  svc.tcp->Stop();
  svc.Watch();
  return 0;
}

}  // namespace sipguard::server
