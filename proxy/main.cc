// sipguard-proxy: the validating SIP proxy. For now it offers the offline
// `validate` command; the proxy itself arrives with its own issue.
#include <CLI/CLI.hpp>
#include <iostream>

#include "validate_command.h"

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"sipguard-proxy: validating SIP proxy", "sipguard-proxy"};
  app.set_version_flag("--version", "sipguard-proxy " SIPGUARD_VERSION);
  app.require_subcommand(1);

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 returns 0 for --help/--version and its own codes otherwise; every
    // usage error is exit 2 as documented.
    int rc = app.exit(e);
    return rc == 0 ? 0 : sipguard::kExitUsageOrIo;
  }
  validate.transport =
      transport == "tcp" ? sipguard::sip::Transport::kStream : sipguard::sip::Transport::kDatagram;
  return sipguard::RunValidate(validate, std::cout, std::cerr);
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
