// EventSink over sd_journal_sendv().
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "report/event_sink.h"

namespace sipguard {
namespace {

class JournalSink final : public EventSink {
 public:
  Status Write(const Event& event) override {
    std::vector<std::string> fields = JournalFields(event);
    std::vector<iovec> iov(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      iov[i].iov_base = fields[i].data();
      iov[i].iov_len = fields[i].size();
    }
    int r = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    if (r < 0) {
      return Error("journal: " + std::error_code(-r, std::generic_category()).message(), -r);
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<EventSink> MakeJournalSink() { return std::make_unique<JournalSink>(); }

}  // namespace sipguard
