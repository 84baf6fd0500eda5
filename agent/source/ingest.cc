#include "source/ingest.h"

#include <utility>
#include <variant>

namespace sipguard::source {

Result<IngestResult> IngestOnce(JournalSource& source, store::Store& store,
                                const EventWeights& weights, const IngestOptions& options) {
  Result<PollResult> polled = source.Poll(options.max_entries, options.timeout);
  if (!polled.ok()) return polled.error();
  PollResult& p = *polled;
  IngestResult result;
  result.consumed = p.consumed;
  if (p.events.empty() && !p.cursor) return result;
  store::Batch batch;
  batch.events.reserve(p.events.size());
  for (JournalEvent& je : p.events) {
    store::Batch::Item item;
    store::EventRecord& r = item.event;
    ParsedEvent& e = je.event;
    r.time_ms = je.realtime_usec / 1000;
    r.ip = e.src_ip;
    r.type = e.type;
    r.src_port = e.src_port;
    r.transport = std::move(e.transport);
    r.method = std::move(e.method);
    r.call_id = std::move(e.call_id);
    r.from_uri = std::move(e.from_uri);
    r.user_agent = std::move(e.user_agent);
    r.reply = e.reply;
    r.retcode = e.retcode;
    r.source = options.source_name;
    item.weight = weights.Of(e.type);
    batch.events.push_back(std::move(item));
  }
  if (p.cursor) {
    batch.cursors.push_back(
        store::SourceCursor{options.source_name, store::JournalCursor{*p.cursor}});
  }
  Result<std::vector<store::Offender>> applied = store.ApplyBatch(batch);
  if (!applied.ok()) {
    // Read these entries again next time; the store's error is the one to report.
    (void)source.Rewind();
    return applied.error();
  }
  result.stored = batch.events.size();
  result.cursor_stored = p.cursor.has_value();
  return result;
}

Result<JournalSource> OpenJournalFromStore(const JournalOptions& options, store::Store& store,
                                           const std::string& source_name) {
  Result<std::optional<store::Cursor>> cur = store.GetCursor(source_name);
  if (!cur.ok()) return cur.error();
  std::optional<std::string> cursor;
  if (cur->has_value()) {
    const auto* jc = std::get_if<store::JournalCursor>(&**cur);
    if (jc == nullptr) {
      return Error(store.path() + ": source '" + source_name +
                   "' holds a file offset, not a journal cursor");
    }
    cursor = jc->cursor;
  }
  return JournalSource::Open(options, cursor);
}

}  // namespace sipguard::source
