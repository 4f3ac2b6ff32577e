// The events a consumer holds instead of applying (consumer_runner.h): holding them,
// draining a stream once its next version can apply, asking for missing versions and
// answering such requests, and the operator's view and replay of them
// (docs/architecture.md, "Dead letters, parked streams and gaps").
#include <fmt/compile.h>
#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <limits>

#include "arflow/bus/consumer_runner.h"
#include "arflow/bus/dead_letter.h"
#include "arflow/bus/topics.h"
#include "arflow/contract/limits.h"
#include "arflow/core/log.h"
#include "arflow/eventstore/keys.h"

namespace arflow::bus {

using eventstore::Envelope;
using eventstore::Transaction;

namespace {

// The stream as an operator names it within the tenant: "invoice/inv-1".
std::string_view within_tenant(std::string_view stream, std::string_view tenant) {
  if (stream.size() > tenant.size() && stream.starts_with(tenant) && stream[tenant.size()] == '/') {
    return stream.substr(tenant.size() + 1);
  }
  return stream;
}

constexpr std::string_view kUndecodable = "undecodable/";

// At most kMaxTextLength bytes, cut before a UTF-8 character rather than inside one (a
// string field must stay valid UTF-8, or the row would not parse).
std::string truncated_reason(std::string reason) {
  if (reason.size() > contract::kMaxTextLength) {
    size_t end = contract::kMaxTextLength;
    while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0U) == 0x80U) {
      --end;
    }
    reason.resize(end);
  }
  return reason;
}

}  // namespace

absl::Status ConsumerRunner::hold(Transaction& txn, Staged& staged, const Envelope& event,
                                  const Source& source, admin::v1::DeadLetterState state,
                                  std::string reason) {
  admin::v1::DeadLetter row;
  const std::string_view stream = within_tenant(event.stream(), event.tenant_id());
  row.set_id(fmt::format("{}@{}", stream, event.version()));
  row.set_consumer(options_.name);
  row.set_state(state);
  row.set_reason(truncated_reason(std::move(reason)));
  row.set_source_topic(source.position.topic);
  row.set_source_partition(source.position.partition);
  row.set_source_offset(source.position.offset);
  row.set_stream(std::string(stream));
  row.set_version(event.version());
  row.set_event_type(std::string(eventstore::event_type(event)));
  eventstore::to_proto(txn.now(), *row.mutable_held_at());
  row.set_attempts(state == admin::v1::DEAD_LETTER_STATE_FAILED
                       ? static_cast<uint32_t>(options_.max_attempts)
                   : state == admin::v1::DEAD_LETTER_STATE_REFUSED ? 1U
                                                                   : 0U);
  row.set_source_key(std::string(source.key));
  row.set_source_value(std::string(source.value));
  row.set_tenant_id(event.tenant_id());
  txn.put(held_key(options_.name, event.tenant_id(), event.stream(), event.version()),
          row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
  held_versions_for_change(staged, high_water_key(options_.name, event.tenant_id(), event.stream()))
      .insert(event.version());
  return absl::OkStatus();
}

absl::Status ConsumerRunner::hold_undecodable(Transaction& txn, const Source& source,
                                              std::string reason) {
  const RefusedMessage refused{
      options_.name, source.position.topic, source.position.partition, source.position.offset,
      source.key,    source.value};
  ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(refused, reason, txn.now())));
  ARFLOW_LOG_WARN("consumer_dead_letter",
                  "consumer={} topic={} partition={} offset={} reason=\"{}\"", options_.name,
                  source.position.topic, source.position.partition, source.position.offset, reason);
  // Listed under the tenant its key names ("<tenant>/<customer>"); it parks no stream.
  const std::string_view tenant = source.key.substr(0, source.key.find('/'));
  const std::string stream = fmt::format("{}{}/{}/{}", kUndecodable, source.position.topic,
                                         source.position.partition, source.position.offset);
  admin::v1::DeadLetter row;
  row.set_id(stream + "@1");
  row.set_consumer(options_.name);
  row.set_state(admin::v1::DEAD_LETTER_STATE_UNDECODABLE);
  row.set_reason(truncated_reason(std::move(reason)));
  row.set_source_topic(source.position.topic);
  row.set_source_partition(source.position.partition);
  row.set_source_offset(source.position.offset);
  row.set_stream(stream);
  row.set_version(1);
  eventstore::to_proto(txn.now(), *row.mutable_held_at());
  row.set_attempts(1);
  row.set_source_key(std::string(source.key));
  row.set_source_value(std::string(source.value));
  row.set_tenant_id(std::string(tenant));
  txn.put(held_key(options_.name, tenant, stream, 1), row.SerializeAsString(),
          eventstore::RowUse::kQueriesOnly);
  return absl::OkStatus();
}

absl::Status ConsumerRunner::drain(Transaction& txn, Staged& staged, Counts& counts,
                                   std::string_view tenant, std::string_view stream,
                                   bool operator_replay) {
  const std::string hw_key = high_water_key(options_.name, tenant, stream);
  std::set<uint64_t>& held = held_versions_for_change(staged, hw_key);
  ARFLOW_ASSIGN_OR_RETURN(uint64_t hw, high_water(txn, staged, hw_key));
  Envelope event;
  while (!held.empty() && *held.begin() <= hw + 1) {
    const uint64_t version = *held.begin();
    const std::string key = held_key(options_.name, tenant, stream, version);
    if (version <= hw) {  // applied meanwhile: a copy
      txn.remove(key);
      held.erase(version);
      continue;
    }
    ARFLOW_ASSIGN_OR_RETURN(const auto bytes, txn.get(key));
    admin::v1::DeadLetter row;
    if (!bytes.has_value() || !row.ParseFromString(*bytes) ||
        !event.ParseFromString(row.source_value())) {
      return absl::DataLossError(
          fmt::format("held event {} of stream {} is missing or unreadable", version, stream));
    }
    absl::Status applied = apply_event(txn, event);
    if (!applied.ok()) {
      const bool refused = is_business_refusal(applied.code());
      if (!refused && !operator_replay) {
        return applied;  // as for any event: the batch is tried again after a backoff
      }
      if (refused && row.state() == admin::v1::DEAD_LETTER_STATE_WAITING) {
        // Refused the first time: a dead letter now, like one refused on arrival.
        ++counts.dead;
        const RefusedMessage copy{options_.name,       row.source_topic(), row.source_partition(),
                                  row.source_offset(), row.source_key(),   row.source_value()};
        ARFLOW_RETURN_IF_ERROR(txn.enqueue(bus::dead_letter(copy, applied.ToString(), txn.now())));
      }
      row.set_state(refused ? admin::v1::DEAD_LETTER_STATE_REFUSED
                            : admin::v1::DEAD_LETTER_STATE_FAILED);
      row.set_reason(truncated_reason(applied.ToString()));
      row.set_attempts(row.attempts() + 1);
      txn.put(key, row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
      return absl::OkStatus();  // still held: the stream stays parked
    }
    txn.remove(key);
    held.erase(version);
    hw = version;
    set_high_water(txn, staged, hw_key, version);
    ++counts.applied;
    ++counts.replayed;
  }
  return absl::OkStatus();
}

absl::Status ConsumerRunner::request_republish(Transaction& txn, const Envelope& event,
                                               uint64_t from, uint64_t to) {
  Envelope request;
  request.set_event_id(txn.new_id());
  request.set_tenant_id(event.tenant_id());
  request.set_stream(fmt::format("{}/republish/{}", event.tenant_id(), request.event_id()));
  request.set_version(1);
  request.set_customer_id(event.customer_id());
  eventstore::to_proto(txn.now(), *request.mutable_occurred_at());
  *request.mutable_recorded_at() = request.occurred_at();
  request.set_actor(options_.name);
  request.set_causation_id(event.event_id());
  request.set_correlation_id(event.correlation_id());
  auto* asked = request.mutable_republish_requested();
  asked->set_stream(event.stream());
  asked->set_from_version(from);
  asked->set_to_version(to);
  asked->set_consumer(options_.name);
  internal::v1::OutboxRecord record;
  record.set_topic(std::string(kRepublishRequests));
  record.set_key(eventstore::message_key(event.tenant_id(), event.customer_id()));
  record.set_value(request.SerializeAsString());
  record.set_event_id(request.event_id());
  record.set_event_type("republish_requested");
  return txn.enqueue(record);
}

absl::Status ConsumerRunner::answer_republish(Transaction& txn, const Envelope& event) {
  const auto& asked = event.republish_requested();
  const uint64_t to =
      asked.to_version() == 0 ? std::numeric_limits<uint64_t>::max() : asked.to_version();
  if (asked.stream().empty() || asked.from_version() == 0 || asked.from_version() > to) {
    return absl::OkStatus();  // nothing a store could answer
  }
  ARFLOW_ASSIGN_OR_RETURN(const uint64_t republished,
                          txn.republish(asked.stream(), asked.from_version(), to));
  if (republished > 0) {
    ARFLOW_LOG_INFO("stream_republished", "stream={} from={} events={} asked_by={}", asked.stream(),
                    asked.from_version(), republished, asked.consumer());
  }
  return absl::OkStatus();
}

absl::Status ConsumerRunner::load_held() {
  const std::string prefix = fmt::format("consumer/{}/held/", options_.name);
  absl::Status parsed = absl::OkStatus();
  ARFLOW_RETURN_IF_ERROR(store_.scan(
      eventstore::Column::kState, prefix, "", [&](std::string_view key, std::string_view) {
        // <tenant>/<stream>\0<version:be64>
        std::string_view rest = key.substr(prefix.size());
        const size_t slash = rest.find('/');
        const size_t nul = rest.size() < 9 ? std::string_view::npos : rest.size() - 9;
        if (slash == std::string_view::npos || nul == std::string_view::npos || nul < slash ||
            rest[nul] != '\0') {
          parsed = absl::DataLossError(fmt::format("held event row '{}' is malformed", key));
          return false;
        }
        const std::string_view tenant = rest.substr(0, slash);
        const std::string_view stream = rest.substr(slash + 1, nul - slash - 1);
        if (!stream.starts_with(kUndecodable)) {
          held_[high_water_key(options_.name, tenant, stream)].insert(
              eventstore::read_be64(rest.substr(nul + 1)));
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(parsed);
  uint64_t held = 0;
  for (const auto& [k, versions] : held_) {
    held += versions.size();
  }
  held_count_ = held;
  parked_streams_ = held_.size();
  return absl::OkStatus();
}

namespace {

// "invoice/inv-1@3" -> {"invoice/inv-1", 3}; "invoice/inv-1" -> {"invoice/inv-1", 0}.
Result<std::pair<std::string_view, uint64_t>> parse_dead_letter_id(std::string_view id) {
  const size_t at = id.rfind('@');
  if (at == std::string_view::npos) {
    if (id.empty()) {
      return invalid_field("id", "must name a held event (\"invoice/inv-1@3\") or its stream");
    }
    return std::pair{id, uint64_t{0}};
  }
  uint64_t version = 0;
  const std::string_view digits = id.substr(at + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (at == 0 || ec != std::errc() || end != digits.data() + digits.size() || version == 0) {
    return invalid_field("id", fmt::format("'{}' is not <stream>@<version>", id));
  }
  return std::pair{id.substr(0, at), version};
}

// The names a stream an operator gave ("invoice/inv-1") may have in events: under the
// tenant, as arflow's services name them, or as given (undecodable messages, and streams
// not named under their tenant).
std::vector<std::string> candidate_streams(std::string_view tenant, std::string_view stream) {
  if (stream.starts_with(kUndecodable)) {
    return {std::string(stream)};
  }
  return {fmt::format("{}/{}", tenant, stream), std::string(stream)};
}

}  // namespace

Result<std::vector<admin::v1::DeadLetter>> ConsumerRunner::dead_letters(std::string_view tenant,
                                                                        size_t max,
                                                                        uint64_t* total) const {
  std::vector<admin::v1::DeadLetter> out;
  uint64_t count = 0;
  absl::Status parsed = absl::OkStatus();
  ARFLOW_RETURN_IF_ERROR(store_.scan(
      eventstore::Column::kState, fmt::format("consumer/{}/held/{}/", options_.name, tenant), "",
      [&](std::string_view key, std::string_view value) {
        ++count;
        if (out.size() < max) {
          admin::v1::DeadLetter row;
          if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            parsed = absl::DataLossError(fmt::format("held event row '{}' is unreadable", key));
            return false;
          }
          row.clear_source_value();
          out.push_back(std::move(row));
        }
        return true;
      }));
  ARFLOW_RETURN_IF_ERROR(parsed);
  if (total != nullptr) {
    *total = count;
  }
  return out;
}

Result<admin::v1::DeadLetter> ConsumerRunner::dead_letter(std::string_view tenant,
                                                          std::string_view id) const {
  ARFLOW_ASSIGN_OR_RETURN(const auto parsed, parse_dead_letter_id(id));
  const auto& [stream, version] = parsed;
  if (version == 0) {
    return invalid_field("id", fmt::format("'{}' is not <stream>@<version>", id));
  }
  std::optional<std::string> bytes;
  for (const auto& candidate : candidate_streams(tenant, stream)) {
    ARFLOW_ASSIGN_OR_RETURN(bytes, store_.get(eventstore::Column::kState,
                                              held_key(options_.name, tenant, candidate, version)));
    if (bytes.has_value()) {
      break;
    }
  }
  admin::v1::DeadLetter row;
  if (!bytes.has_value()) {
    return absl::NotFoundError(
        fmt::format("id: consumer {} holds no event '{}'", options_.name, id));
  }
  if (!row.ParseFromString(*bytes)) {
    return absl::DataLossError(fmt::format("held event '{}' is unreadable", id));
  }
  Envelope event;
  if (event.ParseFromString(row.source_value())) {
    google::protobuf::TextFormat::PrintToString(event, row.mutable_event_text());
  }
  return row;
}

Result<ReplayOutcome> ConsumerRunner::replay(std::string_view tenant, std::string_view id) {
  ARFLOW_ASSIGN_OR_RETURN(const auto parsed, parse_dead_letter_id(id));
  auto outcome = std::make_shared<ReplayOutcome>();
  eventstore::Command command;
  command.tenant = std::string(tenant);
  // On the loop's executor thread, like the batches, which alone touch high_water_ and held_.
  command.execute = [this, outcome, tenant = std::string(tenant),
                     candidates = candidate_streams(tenant, parsed.first),
                     shown = std::string(id)](Transaction& txn) -> Result<std::string> {
    Staged staged;
    Counts counts;
    std::string stream = candidates.front();
    for (const auto& candidate : candidates) {
      const auto* held = held_versions(staged, high_water_key(options_.name, tenant, candidate));
      if (held != nullptr && !held->empty()) {
        stream = candidate;
        break;
      }
    }
    if (stream.starts_with(kUndecodable)) {
      const std::string key = held_key(options_.name, tenant, stream, 1);
      ARFLOW_ASSIGN_OR_RETURN(const auto bytes, txn.get(key));
      admin::v1::DeadLetter row;
      if (!bytes.has_value() || !row.ParseFromString(*bytes)) {
        return absl::NotFoundError(
            fmt::format("id: consumer {} holds no event '{}'", options_.name, shown));
      }
      Envelope event;
      const bool decoded = event.ParseFromString(row.source_value()) && !event.stream().empty() &&
                           event.version() > 0;
      if (!decoded || event.tenant_id() != tenant) {
        // Still unreadable, or an event of another tenant than its key named: stays held.
        row.set_attempts(row.attempts() + 1);
        if (decoded) {
          row.set_reason("its event is of another tenant than its key names");
        }
        txn.put(key, row.SerializeAsString(), eventstore::RowUse::kQueriesOnly);
        row.clear_source_value();
        outcome->held.push_back(std::move(row));
        return std::string();
      }
      txn.remove(key);
      const Source source{
          .position = {row.source_topic(), row.source_partition(), row.source_offset()},
          .key = row.source_key(),
          .value = row.source_value()};
      ARFLOW_RETURN_IF_ERROR(offer(txn, staged, counts, event, source));
    } else {
      const std::string hw_key = high_water_key(options_.name, tenant, stream);
      const std::set<uint64_t>* held = held_versions(staged, hw_key);
      if (held == nullptr || held->empty()) {
        return absl::NotFoundError(fmt::format("id: consumer {} holds nothing of stream '{}'",
                                               options_.name, within_tenant(stream, tenant)));
      }
      ARFLOW_RETURN_IF_ERROR(drain(txn, staged, counts, tenant, stream, /*operator_replay=*/true));
      ARFLOW_ASSIGN_OR_RETURN(const uint64_t hw, high_water(txn, staged, hw_key));
      held = held_versions(staged, hw_key);
      for (const uint64_t version : *held) {
        ARFLOW_ASSIGN_OR_RETURN(const auto bytes,
                                txn.get(held_key(options_.name, tenant, stream, version)));
        admin::v1::DeadLetter row;
        if (!bytes.has_value() || !row.ParseFromString(*bytes)) {
          return absl::DataLossError(
              fmt::format("held event {} of stream {} is unreadable", version, stream));
        }
        if (version == *held->begin() && version > hw + 1) {
          // Still missing what comes before: ask its service again.
          Envelope event;
          if (event.ParseFromString(row.source_value())) {
            ARFLOW_RETURN_IF_ERROR(request_republish(txn, event, hw + 1, version - 1));
            ++counts.republish_requests;
          }
        }
        row.clear_source_value();
        outcome->held.push_back(std::move(row));
      }
    }
    keep(staged);
    outcome->applied = counts.applied;
    applied_.fetch_add(counts.applied);
    replayed_.fetch_add(counts.replayed);
    republish_requests_.fetch_add(counts.republish_requests);
    return std::string();
  };
  ARFLOW_RETURN_IF_ERROR(loop_.execute(std::move(command)).status());
  ARFLOW_LOG_INFO("dead_letters_replayed", "consumer={} tenant={} id={} applied={} still_held={}",
                  options_.name, tenant, id, outcome->applied, outcome->held.size());
  return std::move(*outcome);
}

}  // namespace arflow::bus
