#pragma once
// How the event store lays its rows out in RocksDB. One column family per kind of row, so
// that each is scanned without the others' keys in the way:
//   events       <stream> \0 <version:be64>       -> serialized Envelope
//   outbox       <seq:be64>                       -> OutboxRecord
//   idempotency  <tenant> \0 <request_id>         -> IdempotencyRecord (expired ones are
//                                                   dropped by a compaction filter)
//   state        caller-defined (projection rows, consumer offsets, timers, ...)
// Big-endian integers sort numerically under RocksDB's bytewise comparator.

#include <cstdint>
#include <string>
#include <string_view>

#include "arflow/core/error.h"

namespace arflow::eventstore {

// A stream's head version is derived state (its highest event key), not a row: reading it
// from the events is a seek, so the command loop keeps heads in memory, staged under
// kStreamHeads, which is never written to RocksDB.
enum class Column : int { kEvents = 0, kOutbox, kIdempotency, kState, kStreamHeads };
inline constexpr int kColumnCount = 4;  // the columns that are RocksDB column families
std::string_view column_name(Column c);

void append_be64(std::string& out, uint64_t v);
uint64_t read_be64(std::string_view bytes);  // bytes.size() >= 8
std::string be64(uint64_t v);

// A stream name is non-empty, at most 512 bytes, without NUL (NUL separates key parts).
absl::Status validate_stream(std::string_view stream);

std::string event_key(std::string_view stream, uint64_t version);
std::string idempotency_key(std::string_view tenant, std::string_view request_id);

// A stable 64-bit FNV-1a hash: the same bytes give the same fingerprint in every process
// and release, which an idempotency record kept across restarts needs.
uint64_t fingerprint(std::string_view bytes);

}  // namespace arflow::eventstore
