// sipguard-proxy: the validating SIP proxy.
//
//   sipguard-proxy [--config FILE] [--listen udp:ADDR:PORT ...] [--backend ...]
//                  [--trusted CIDR ...] [--max-forwards N] [--workers N]
//                  [--log-target journal|stderr|FILE] [--control PATH]
//       runs the proxy (proxy/server/server.h). The config file
//       (default /etc/sipguard/proxy.conf) is read when it exists or when
//       --config names it; flags override it, and a repeatable flag replaces
//       the file's list.
//   sipguard-proxy validate FILE...   offline verdicts (validate_command.h)
//   sipguard-proxy stats [--control PATH]   the running proxy's counters (JSON)
//
// Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error (the
// message names the flag, or the file and line).
#include <syslog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/config_file.h"
#include "proxy_config.h"
#include "server/control.h"
#include "server/server.h"
#include "validate_command.h"

namespace {

using sipguard::Error;
using sipguard::ProxyConfig;
using sipguard::Result;

struct RunFlags {
  std::vector<std::string> listen, backend, trusted;
  std::optional<unsigned> max_forwards, workers;
  std::optional<std::string> log_target;
  std::string config;
  std::string control{sipguard::server::kDefaultControlPath};
};

Result<ProxyConfig> LoadConfig(const RunFlags& f) {
  ProxyConfig c;
  std::string path = f.config.empty() ? std::string(sipguard::kDefaultProxyConfigPath) : f.config;
  std::error_code ec;
  if (!f.config.empty() || std::filesystem::exists(path, ec)) {
    Result<sipguard::ConfigFile> file = sipguard::ConfigFile::Load(path);
    if (!file.ok()) return file.error();
    if (sipguard::Status s = sipguard::ApplyConfigFile(*file, &c); !s.ok()) return s.error();
  }
  auto endpoints = [](const std::vector<std::string>& texts, std::string_view flag,
                      std::vector<sipguard::forward::Endpoint>* out) -> sipguard::Status {
    if (texts.empty()) return {};
    out->clear();
    for (const std::string& t : texts) {
      auto ep = sipguard::ParseEndpoint(t);
      if (!ep.ok()) return Error(std::string(flag) + ": " + ep.error().message());
      out->push_back(*ep);
    }
    return {};
  };
  if (auto s = endpoints(f.listen, "--listen", &c.listen); !s.ok()) return s.error();
  if (auto s = endpoints(f.backend, "--backend", &c.backends); !s.ok()) return s.error();
  if (!f.trusted.empty()) {
    c.trusted = sipguard::CidrSet();
    for (const std::string& t : f.trusted) {
      auto cidr = sipguard::Cidr::Parse(t);
      if (!cidr.ok()) return Error("--trusted: " + cidr.error().message());
      c.trusted.Add(*cidr);
    }
  }
  if (f.max_forwards) c.forward.max_forwards = *f.max_forwards;
  if (f.workers) c.workers = *f.workers;
  if (f.log_target) c.log_target = *f.log_target;
  if (sipguard::Status s = sipguard::FinishProxyConfig(&c); !s.ok()) return s.error();
  return c;
}

// Under systemd stderr goes to the journal (JOURNAL_STREAM is set), which
// reads a "<N>" prefix as the priority (sd-daemon(3)).
bool g_journal_stream = false;

void Log(int priority, std::string_view message) {
  if (g_journal_stream) std::cerr << '<' << priority << '>';
  std::cerr << "sipguard-proxy: " << message << std::endl;
}

int RunStats(const std::string& control) {
  Result<std::string> doc = sipguard::server::FetchStats(control);
  if (!doc.ok()) {
    std::cerr << "sipguard-proxy stats: " << doc.error().message() << "\n";
    return 1;
  }
  std::cout << *doc;
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"sipguard-proxy: validating SIP proxy", "sipguard-proxy"};
  app.set_version_flag("--version", "sipguard-proxy " SIPGUARD_VERSION);
  app.require_subcommand(0, 1);

  RunFlags run;
  app.add_option("--config", run.config,
                 "Config file (default /etc/sipguard/proxy.conf, read if it exists)");
  app.add_option("--listen", run.listen, "Listen endpoint udp:ADDR:PORT or tcp:[v6]:PORT (repeat)");
  app.add_option("--backend", run.backend, "Backend endpoint udp:ADDR:PORT (repeat)");
  app.add_option("--trusted", run.trusted, "Trusted network CIDR, never limited (repeat)");
  app.add_option("--max-forwards", run.max_forwards, "Max-Forwards cap, 1..255")
      ->check(CLI::Range(1, 255));
  app.add_option("--workers", run.workers, "Worker threads, 0 = one per core")
      ->check(CLI::Range(0, 256));
  app.add_option("--log-target", run.log_target, "Events to: journal, stderr or a file path");
  app.add_option("--control", run.control, "Control socket path (stats)");

  sipguard::ValidateRequest validate;
  std::string transport = "udp";
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check raw SIP message files; exit 0 if all are valid, 1 if any is invalid, 2 on error");
  cmd->add_option("files", validate.files, "Message files, one raw message each ('-' = stdin)")
      ->required();
  cmd->add_flag("--json", validate.json, "Print a JSON array of verdicts");
  cmd->add_option("--transport", transport, "Framing rules: udp (datagram) or tcp (stream)")
      ->check(CLI::IsMember({"udp", "tcp"}));

  std::string stats_control{sipguard::server::kDefaultControlPath};
  CLI::App* stats = app.add_subcommand("stats", "Print the running proxy's counters as JSON");
  stats->add_option("--control", stats_control, "Control socket path of the proxy");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 returns 0 for --help/--version and its own codes otherwise; every
    // usage error is exit 2 as documented.
    int rc = app.exit(e);
    return rc == 0 ? 0 : sipguard::kExitUsageOrIo;
  }
  if (cmd->parsed()) {
    validate.transport = transport == "tcp" ? sipguard::sip::Transport::kStream
                                            : sipguard::sip::Transport::kDatagram;
    return sipguard::RunValidate(validate, std::cout, std::cerr);
  }
  if (stats->parsed()) return RunStats(stats_control);

  Result<ProxyConfig> config = LoadConfig(run);
  if (!config.ok()) {
    std::cerr << "sipguard-proxy: " << config.error().message() << "\n";
    return sipguard::kExitUsageOrIo;
  }
  // Read once, before any thread exists.
  g_journal_stream = std::getenv("JOURNAL_STREAM") != nullptr;  // NOLINT(concurrency-mt-unsafe)
  sipguard::server::ServerOptions options;
  options.load = [run] { return LoadConfig(run); };
  options.log = Log;
  options.control_path = run.control;
  return sipguard::server::RunServer(*config, options);
}

}  // namespace

int main(int argc, char** argv) {
  // Library code reports errors as values; what can still throw here is the
  // standard library running out of memory. Say so instead of aborting.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sipguard-proxy: " << e.what() << "\n";
    return sipguard::kExitUsageOrIo;
  }
}
