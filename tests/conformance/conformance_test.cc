// Runs every RFC 4475 and RFC 5118 torture message through the validator and
// compares the action with the corpus's EXPECTED.tsv (expected_action, or one
// listed in also_acceptable). The corpus lives outside the repository.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lib/strict.h"
#include "sip/validator.h"

namespace sipguard::sip {
namespace {

namespace fs = std::filesystem;

struct Expectation {
  std::string name, expected, also;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Expectation> ReadExpected(const fs::path& tsv) {
  std::vector<Expectation> rows;
  std::istringstream in(ReadAll(tsv));
  std::string line;
  std::getline(in, line);  // header row
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::istringstream fields(line);
    std::string col;
    while (std::getline(fields, col, '\t')) cols.push_back(col);
    if (cols.size() >= 5) rows.push_back({cols[0], cols[3], cols[4]});
  }
  return rows;
}

// The conversion the RFC 5118 corpus README prescribes: LF -> CRLF, terminate
// the header section, recompute Content-Length; change nothing else.
std::string WireReady5118(const std::string& lf) {
  size_t split = lf.find("\n\n");
  std::string head = lf.substr(0, split);
  std::string body = split == std::string::npos ? "" : lf.substr(split + 2);
  auto crlf = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '\n') out += '\r';
      out += c;
    }
    return out;
  };
  head = crlf(head);
  body = crlf(body);
  std::istringstream lines(head);
  std::string line, out;
  while (std::getline(lines, line)) {
    if (line.rfind("Content-Length:", 0) == 0)
      line = "Content-Length: " + std::to_string(body.size()) + "\r";
    out += line + "\n";
  }
  return out + "\r\n" + body;
}

std::string ActionOf(const Verdict& v) {
  if (v.action == Action::kForward) return "forward";
  if (v.action == Action::kDrop) return "drop";
  return std::to_string(v.status);
}

void RunCorpus(const char* corpus, bool convert) {
  fs::path dir = fs::path(SIPGUARD_SHARED_DIR) / corpus;
  SIPGUARD_REQUIRE(
      fs::exists(dir / "EXPECTED.tsv"),
      "the " << corpus << " corpus is absent (looked in " << dir << "; set -DSIPGUARD_SHARED_DIR)");
  std::vector<Expectation> rows = ReadExpected(dir / "EXPECTED.tsv");
  ASSERT_FALSE(rows.empty());
  auto msg = std::make_unique<Message>();
  int checked = 0;
  for (const Expectation& e : rows) {
    fs::path file = dir / (e.name + ".sip");
    ASSERT_TRUE(fs::exists(file)) << file;
    std::string bytes = ReadAll(file);
    if (convert) bytes = WireReady5118(bytes);
    Verdict v = ParseAndValidate(bytes, ValidatorOptions{}, msg.get());
    std::string got = ActionOf(v);
    bool acceptable = got == e.expected || got == e.also;
    EXPECT_TRUE(acceptable) << corpus << "/" << e.name << ": got " << got << " ("
                            << Describe(v.check).name << ": " << Describe(v.check).reason << " "
                            << v.detail << "), expected " << e.expected
                            << (e.also != "-" ? " or " + e.also : "");
    ++checked;
  }
  std::cout << corpus << ": " << checked << " messages checked\n";
}

TEST(Conformance, Rfc4475TortureMessages) { RunCorpus("rfc4475", false); }
TEST(Conformance, Rfc5118Ipv6TortureMessages) { RunCorpus("rfc5118", true); }

}  // namespace
}  // namespace sipguard::sip
