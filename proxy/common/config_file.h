// ConfigFile: the format of /etc/sipguard/proxy.conf and agent.conf.
//
//   # comment (also ';'), whole lines only: '#' may appear inside values
//   [section]
//   key = value          white space around '=' and at the ends is ignored
//   listen = udp:[::]:5060
//   listen = tcp:192.0.2.1:5060     a key may repeat; order is kept
//
// The reader only splits the text; each program checks its own keys and
// values and reports a problem with Where(entry): "proxy.conf:12". Drop-ins:
// LoadWithDropIns(main, dir) reads main, then dir/*.conf in lexical order,
// so later entries override earlier ones for single-valued keys.
//
// Bounded: a file is at most 1 MiB, a line at most 4096 bytes; NUL and other
// control bytes (except TAB) are errors. Errors name file and line.
// Thread-safety: values; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sipguard {

struct ConfigEntry {
  std::string section;  // "" before the first [section]
  std::string key;      // lower-case letters, digits, '-', '_', '.'
  std::string value;    // may be empty
  std::string file;     // as given to the loader
  int line = 0;
};

class ConfigFile {
 public:
  static constexpr size_t kMaxFileSize = 1 << 20;
  static constexpr size_t kMaxLineLength = 4096;

  // Parses `text` that came from `file` (used only in messages).
  static Result<ConfigFile> Parse(std::string_view text, const std::string& file);
  // Reads and parses one file.
  static Result<ConfigFile> Load(const std::string& path);
  // `main_path` (which must exist), then every `*.conf` in `dropin_dir` in
  // lexical order; a missing drop-in directory is not an error.
  static Result<ConfigFile> LoadWithDropIns(const std::string& main_path,
                                            const std::string& dropin_dir);

  const std::vector<ConfigEntry>& entries() const { return entries_; }

 private:
  std::vector<ConfigEntry> entries_;
};

// "file:line", for messages about an entry.
std::string Where(const ConfigEntry& entry);

// An Error "file:line: [section] key: what".
Error ConfigError(const ConfigEntry& entry, std::string_view what);

}  // namespace sipguard
