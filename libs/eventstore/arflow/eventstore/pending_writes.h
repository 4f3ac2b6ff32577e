#pragma once
// The writes of one batch, readable before they are committed, with savepoints.
//
// A hash map rather than RocksDB's WriteBatchWithIndex: a command's reads and writes cost a
// hash lookup instead of a skiplist search, and the batch is written sorted by column and
// key, which lets the memtable reuse its last insert position instead of searching from the
// top for every row.
//
// Thread-safety: none while it is being written; once handed to the committer it is only
// read, and may be read from several threads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "arflow/eventstore/keys.h"

namespace rocksdb {
class WriteBatch;
}

namespace arflow::eventstore {

class Store;

class PendingWrites {
 public:
  // What this batch says about a row: not written here (nullptr), removed here (a pointer
  // to nullopt), or its new value.
  const std::optional<std::string>* find(Column column, std::string_view key) const;

  void put(Column column, std::string_view key, std::string_view value);
  void remove(Column column, std::string_view key);

  // Savepoints nest; rolling back undoes every write since the matching set_savepoint().
  void set_savepoint();
  void rollback_to_savepoint();
  void pop_savepoint();

  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }

  // Calls visit(slot, value) for every row put (value) or removed (nullopt) in this batch.
  template <class Visit>
  void for_each_row(Visit&& visit) const {
    for (const auto& [slot, value] : rows_) {
      visit(slot, value);
    }
  }

  // The key rows_ uses: one byte of column, then the row key.
  static std::string slot(Column column, std::string_view key);

  // Replaces `out` with the rows as one RocksDB batch, sorted by column then key
  // (kStreamHeads left out).
  void to_write_batch(const Store& store, rocksdb::WriteBatch& out) const;

 private:
  void record_undo(const std::string& slot);

  // Key: one byte of column, then the row key. nullopt: removed.
  std::unordered_map<std::string, std::optional<std::string>> rows_;
  struct Undo {
    std::string slot;
    std::optional<std::optional<std::string>> previous;  // nullopt: the slot was absent
  };
  std::vector<Undo> undo_;
  std::vector<size_t> savepoints_;  // positions in undo_
};

}  // namespace arflow::eventstore
