#include "arflow/eventstore/pending_writes.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <utility>

#include "arflow/eventstore/store.h"

namespace arflow::eventstore {

std::string PendingWrites::slot(Column column, std::string_view key) {
  std::string s;
  s.reserve(key.size() + 1);
  s.push_back(static_cast<char>(column));
  s.append(key);
  return s;
}

const std::optional<std::string>* PendingWrites::find(Column column, std::string_view key) const {
  const auto it = rows_.find(SlotRef{column, key});
  return it == rows_.end() ? nullptr : &it->second.value;
}

void PendingWrites::write(Column column, std::string_view key, StagedRow row) {
  const bool undoable = !savepoints_.empty();  // else nothing can roll back past this write
  if (const auto it = rows_.find(SlotRef{column, key}); it != rows_.end()) {
    if (undoable) {
      // The value being replaced moves to the undo log instead of being copied there.
      undo_.push_back({&*it, std::move(it->second)});
    }
    it->second = std::move(row);
    return;
  }
  const auto inserted = rows_.emplace(slot(column, key), std::move(row)).first;
  if (undoable) {
    undo_.push_back({&*inserted, std::nullopt});
  }
}

void PendingWrites::put(Column column, std::string_view key, std::string value, RowUse use) {
  write(column, key, StagedRow{.value = std::move(value), .use = use});
}

void PendingWrites::remove(Column column, std::string_view key) {
  write(column, key, StagedRow{.value = std::nullopt, .use = RowUse::kReadBack});
}

void PendingWrites::set_savepoint() { savepoints_.push_back(undo_.size()); }

void PendingWrites::rollback_to_savepoint() {
  if (savepoints_.empty()) {
    return;
  }
  const size_t mark = savepoints_.back();
  savepoints_.pop_back();
  while (undo_.size() > mark) {
    auto& u = undo_.back();
    if (u.previous.has_value()) {
      u.row->second = std::move(*u.previous);
    } else {
      rows_.erase(rows_.find(u.row->first));
    }
    undo_.pop_back();
  }
}

void PendingWrites::pop_savepoint() {
  if (savepoints_.empty()) {
    return;
  }
  savepoints_.pop_back();
  if (savepoints_.empty()) {
    undo_.clear();
  }
}

void PendingWrites::to_write_batch(const Store& store, rocksdb::WriteBatch& out) const {
  std::vector<const SlotMap::value_type*> sorted;
  sorted.reserve(rows_.size());
  // Sized once: growing the batch's buffer by doubling copied it over and over.
  size_t bytes = 0;
  for (const auto& row : rows_) {
    sorted.push_back(&row);
    bytes += row.first.size() + (row.second.value.has_value() ? row.second.value->size() : 0) + 16;
  }
  out = rocksdb::WriteBatch(bytes);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* row : sorted) {
    const auto column = static_cast<Column>(row->first[0]);
    if (column == Column::kStreamHeads) {
      continue;  // derived from the events, never stored
    }
    const rocksdb::Slice key(row->first.data() + 1, row->first.size() - 1);
    // WriteBatch only fails past its size limit (none is set here).
    if (row->second.value.has_value()) {
      (void)out.Put(store.column(column), key, *row->second.value);
    } else {
      (void)out.Delete(store.column(column), key);
    }
  }
}

}  // namespace arflow::eventstore
