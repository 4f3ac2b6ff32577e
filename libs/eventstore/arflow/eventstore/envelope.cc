#include "arflow/eventstore/envelope.h"

namespace arflow::eventstore {

std::string_view event_type(const Envelope& envelope) {
  static const auto* oneof = Envelope::descriptor()->FindOneofByName("payload");
  const auto* field = Envelope::GetReflection()->GetOneofFieldDescriptor(envelope, oneof);
  return field == nullptr ? std::string_view() : std::string_view(field->name());
}

Envelope stamped(const Caller& caller, std::string_view customer_id) {
  Envelope envelope;
  envelope.set_tenant_id(caller.tenant);
  envelope.set_customer_id(std::string(customer_id));
  envelope.set_actor(caller.actor);
  envelope.set_causation_id(caller.causation_id);
  envelope.set_correlation_id(caller.correlation_id);
  return envelope;
}

std::string message_key(std::string_view tenant_id, std::string_view customer_id) {
  std::string key;
  key.reserve(tenant_id.size() + customer_id.size() + 1);
  key.append(tenant_id);
  key.push_back('/');
  key.append(customer_id);
  return key;
}

void to_proto(Timestamp t, google::protobuf::Timestamp& out) {
  const int64_t micros = t.time_since_epoch().count();
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    seconds -= 1;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest * 1000));
}

Timestamp from_proto(const google::protobuf::Timestamp& t) {
  return Timestamp(std::chrono::microseconds(t.seconds() * 1'000'000 + t.nanos() / 1000));
}

}  // namespace arflow::eventstore
