#pragma once
// A command's answer as the code that made it hands it over: the resource, or the resource's
// wire form when that code holds it already (a row the command wrote is the same message:
// an invoice's list row is its BASIC view). Protobuf's wire format makes a length-delimited
// field holding a message's encoding the same as that message embedded, so a batch call
// sends such bytes on as its element's resource, neither parsed nor serialized again
// (server::BatchCall); a caller that needs the message parses them (to_resource).
//
//   return contract::Answer<v1::Invoice>::wire(row_bytes);   // or: return invoice;
//
// Thread-safety: a value; distinct answers may be used from distinct threads.

#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "arflow/core/error.h"

namespace arflow::contract {

template <typename Resource>
class Answer {
 public:
  // A resource is an answer, so code that makes one returns it as it is.
  Answer(Resource resource)  // NOLINT(google-explicit-constructor)
      : answer_(std::move(resource)) {}

  // `bytes` must be a Resource serialized; to_resource() says so if they are not.
  static Answer wire(std::string bytes) { return Answer(Wire{std::move(bytes)}); }

  bool is_wire() const { return std::holds_alternative<Wire>(answer_); }

  // The serialized resource: a copy of the bytes, or the resource serialized.
  std::string serialized() const {
    if (const auto* wire = std::get_if<Wire>(&answer_)) {
      return wire->bytes;
    }
    return std::get<Resource>(answer_).SerializeAsString();
  }

  // The bytes, moved out; only for a wire answer (is_wire()).
  std::string take_wire() && { return std::move(std::get<Wire>(answer_).bytes); }

  // The resource: moved out, or parsed from the bytes (INTERNAL if they do not parse).
  Result<Resource> to_resource() && {
    if (auto* wire = std::get_if<Wire>(&answer_)) {
      Resource resource;
      if (!resource.ParseFromString(wire->bytes)) {
        return absl::InternalError("an answer's bytes are not the resource they should hold");
      }
      return resource;
    }
    return std::move(std::get<Resource>(answer_));
  }

 private:
  struct Wire {
    std::string bytes;
  };
  explicit Answer(Wire wire) : answer_(std::move(wire)) {}

  std::variant<Resource, Wire> answer_;
};

}  // namespace arflow::contract
