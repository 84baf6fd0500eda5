#include "common/config_file.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/sanitize.h"

namespace sipguard {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

Error LineError(const std::string& file, int line, std::string_view what) {
  return Error(file + ":" + std::to_string(line) + ": " + std::string(what));
}

}  // namespace

std::string Where(const ConfigEntry& entry) {
  return entry.file + ":" + std::to_string(entry.line);
}

Error ConfigError(const ConfigEntry& entry, std::string_view what) {
  std::string s = Where(entry) + ": ";
  if (!entry.section.empty()) s += "[" + entry.section + "] ";
  return Error(s + entry.key + ": " + std::string(what));
}

Result<ConfigFile> ConfigFile::Parse(std::string_view text, const std::string& file) {
  if (text.size() > kMaxFileSize) {
    return Error(file + ": larger than " + std::to_string(kMaxFileSize) + " bytes");
  }
  ConfigFile config;
  std::string section;
  int number = 0;
  while (!text.empty()) {
    ++number;
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (raw.size() > kMaxLineLength) {
      return LineError(file, number,
                       "line longer than " + std::to_string(kMaxLineLength) + " bytes");
    }
    std::string_view line = Trim(raw);
    auto bad = std::find_if(line.begin(), line.end(), [](char c) {
      unsigned char u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t') || u == 0x7f;
    });
    if (bad != line.end()) return LineError(file, number, "control character in line");
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return LineError(file, number, "expected ']' to close the section name");
      }
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (name.empty() || !std::all_of(name.begin(), name.end(), IsKeyChar)) {
        return LineError(file, number, "bad section name " + QuoteForError(name));
      }
      section = std::string(name);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return LineError(file, number,
                       "expected 'key = value' or '[section]', got " + QuoteForError(line));
    }
    std::string_view key = Trim(line.substr(0, eq));
    if (key.empty() || !std::all_of(key.begin(), key.end(), IsKeyChar)) {
      return LineError(file, number,
                       "bad key " + QuoteForError(key) + " (lower-case letters, digits, -_.)");
    }
    config.entries_.push_back(ConfigEntry{section, std::string(key),
                                          std::string(Trim(line.substr(eq + 1))), file, number});
  }
  return config;
}

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error(path + ": " + ec.message(), ec.value());
  if (size > kMaxFileSize) {
    return Error(path + ": larger than " + std::to_string(kMaxFileSize) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(path + ": cannot be opened for reading", errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error(path + ": read error", errno);
  return Parse(text.str(), path);
}

Result<ConfigFile> ConfigFile::LoadWithDropIns(const std::string& main_path,
                                               const std::string& dropin_dir) {
  Result<ConfigFile> all = Load(main_path);
  if (!all.ok()) return all;
  std::error_code ec;
  if (!std::filesystem::is_directory(dropin_dir, ec)) return all;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dropin_dir, ec)) {
    if (e.path().extension() == ".conf" && e.is_regular_file()) files.push_back(e.path().string());
  }
  if (ec) return Error(dropin_dir + ": " + ec.message(), ec.value());
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    Result<ConfigFile> one = Load(f);
    if (!one.ok()) return one;
    all->entries_.insert(all->entries_.end(), one->entries_.begin(), one->entries_.end());
  }
  return all;
}

}  // namespace sipguard
