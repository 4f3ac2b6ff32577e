#pragma once
// The writes of one batch, readable before they are committed, with savepoints.
//
// A hash map rather than RocksDB's WriteBatchWithIndex: a command's reads and writes cost a
// hash lookup instead of a skiplist search, and the batch is written sorted by column and
// key, which lets the memtable reuse its last insert position instead of searching from the
// top for every row. Abseil's Swiss tables rather than std::unordered_map: a lookup probes
// a group of control bytes instead of walking a bucket's linked nodes, one cache miss less in
// tables of up to a million rows (the loop's row cache).
//
// Thread-safety: none while it is being written; once handed to the committer it is only
// read, and may be read from several threads.

#include <absl/container/node_hash_map.h>
#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arflow/eventstore/keys.h"

namespace rocksdb {
class WriteBatch;
}

namespace arflow::eventstore {

class Store;

// A row as (column, key) without building its slot string: what a lookup in a map keyed by
// slots takes, so that a read allocates nothing.
struct SlotRef {
  Column column;
  std::string_view key;
};

// Debian's Abseil has its own string_view type and hashes a std::string_view with
// std::hash (libstdc++'s slower byte hash: 4% of the executor); as an absl::string_view it
// takes Abseil's own string hash.
inline absl::string_view as_absl(std::string_view s) { return {s.data(), s.size()}; }

// Hash and equality of slots (one byte of column, then the row key) that also take a
// SlotRef: both hash the column and the key the same way.
struct SlotHash {
  using is_transparent = void;
  size_t operator()(SlotRef ref) const {
    return absl::HashOf(static_cast<int>(ref.column), as_absl(ref.key));
  }
  size_t operator()(std::string_view slot) const {
    return (*this)(SlotRef{static_cast<Column>(slot[0]), slot.substr(1)});
  }
  size_t operator()(const std::string& slot) const { return (*this)(std::string_view(slot)); }
};
struct SlotEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  bool operator()(SlotRef a, std::string_view b) const noexcept {
    return b.size() == a.key.size() + 1 && static_cast<Column>(b[0]) == a.column &&
           b.substr(1) == a.key;
  }
  bool operator()(std::string_view a, SlotRef b) const noexcept { return (*this)(b, a); }
};

// Who reads a state row back. The CommandLoop keeps the state rows of its batches in a row
// cache so that commands read them without the database; a row only queries read (a list
// row, an index entry) would only crowd that cache.
enum class RowUse { kReadBack, kQueriesOnly };

struct StagedRow {
  std::optional<std::string> value;  // nullopt: removed (or known to be absent)
  RowUse use = RowUse::kReadBack;
};

// Rows by slot. Node-based: a row stays where it is while the map grows (PendingWrites'
// undo log points at rows).
using SlotMap = absl::node_hash_map<std::string, StagedRow, SlotHash, SlotEqual>;

class PendingWrites {
 public:
  PendingWrites() = default;
  // The undo log points into rows_: a copy's would point into the original's rows.
  PendingWrites(const PendingWrites&) = delete;
  PendingWrites& operator=(const PendingWrites&) = delete;
  PendingWrites(PendingWrites&&) = default;
  PendingWrites& operator=(PendingWrites&&) = default;

  // What this batch says about a row: not written here (nullptr), removed here (a pointer
  // to nullopt), or its new value.
  const std::optional<std::string>* find(Column column, std::string_view key) const;

  // `value` is taken, not copied: callers pass the row they just serialized.
  void put(Column column, std::string_view key, std::string value, RowUse use = RowUse::kReadBack);
  void remove(Column column, std::string_view key);

  // Savepoints nest; rolling back undoes every write since the matching set_savepoint().
  void set_savepoint();
  void rollback_to_savepoint();
  void pop_savepoint();

  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }

  // Calls visit(slot, row) for every row put or removed in this batch.
  template <class Visit>
  void for_each_row(Visit&& visit) const {
    for (const auto& [slot, row] : rows_) {
      visit(slot, row);
    }
  }

  // The key rows_ uses: one byte of column, then the row key.
  static std::string slot(Column column, std::string_view key);

  // Replaces `out` with the rows as one RocksDB batch, sorted by column then key
  // (kStreamHeads left out).
  void to_write_batch(const Store& store, rocksdb::WriteBatch& out) const;

 private:
  void write(Column column, std::string_view key, StagedRow row);

  // Key: one byte of column, then the row key.
  SlotMap rows_;
  struct Undo {
    // The row written. Its node outlives the entry: rows are erased only by rollbacks,
    // newest write first, and a map's rehash moves no node.
    SlotMap::value_type* row = nullptr;
    std::optional<StagedRow> previous;  // nullopt: the row was absent
  };
  std::vector<Undo> undo_;
  std::vector<size_t> savepoints_;  // positions in undo_
};

}  // namespace arflow::eventstore
