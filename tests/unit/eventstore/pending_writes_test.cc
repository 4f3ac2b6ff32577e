#include "arflow/eventstore/pending_writes.h"

#include <gtest/gtest.h>

namespace arflow::eventstore {
namespace {

std::optional<std::string> read(const PendingWrites& w, std::string_view key) {
  const auto* row = w.find(Column::kState, key);
  return row == nullptr ? std::optional<std::string>("<absent>") : *row;
}

TEST(PendingWrites, ReadsItsOwnWritesAndRemovals) {
  PendingWrites w;
  w.put(Column::kState, "a", "1");
  w.put(Column::kState, "a", "2");
  w.remove(Column::kState, "b");
  EXPECT_EQ(read(w, "a"), "2");
  EXPECT_EQ(read(w, "b"), std::nullopt);  // removed here: do not look further down
  EXPECT_EQ(read(w, "c"), "<absent>");
  // Columns do not see each other's rows.
  EXPECT_EQ(w.find(Column::kEvents, "a"), nullptr);
}

TEST(PendingWrites, RollbackUndoesOnlyWhatCameAfterTheSavepoint) {
  PendingWrites w;
  w.put(Column::kState, "kept", "1");
  w.set_savepoint();
  w.put(Column::kState, "kept", "changed");
  w.put(Column::kState, "new", "x");
  w.remove(Column::kState, "gone");
  w.rollback_to_savepoint();
  EXPECT_EQ(read(w, "kept"), "1");
  EXPECT_EQ(read(w, "new"), "<absent>");
  EXPECT_EQ(read(w, "gone"), "<absent>");
  EXPECT_EQ(w.size(), 1u);
}

TEST(PendingWrites, SavepointsNest) {
  PendingWrites w;
  w.set_savepoint();
  w.put(Column::kState, "outer", "1");
  w.set_savepoint();
  w.put(Column::kState, "inner", "2");
  w.rollback_to_savepoint();
  w.pop_savepoint();
  EXPECT_EQ(read(w, "outer"), "1");
  EXPECT_EQ(read(w, "inner"), "<absent>");
}

// A rollback finds the rows it undoes after the map grew (rehashed) past them, restores a row
// written several times to its value at the savepoint, and leaves an outer savepoint's
// writes to that savepoint.
TEST(PendingWrites, RollbacksRestoreEveryRowAfterTheMapHasGrown) {
  PendingWrites w;
  w.put(Column::kState, "before", "1");
  w.set_savepoint();
  w.put(Column::kState, "before", "2");
  for (int i = 0; i < 1000; ++i) {
    w.put(Column::kState, "row-" + std::to_string(i), "v");
  }
  w.put(Column::kState, "row-0", "again");
  w.remove(Column::kState, "row-1");
  w.set_savepoint();
  w.put(Column::kState, "before", "3");
  w.put(Column::kState, "row-2", "inner");
  w.remove(Column::kState, "row-0");
  for (int i = 1000; i < 2000; ++i) {
    w.put(Column::kState, "row-" + std::to_string(i), "v");
  }
  w.rollback_to_savepoint();
  EXPECT_EQ(read(w, "before"), "2");
  EXPECT_EQ(read(w, "row-0"), "again");
  EXPECT_EQ(read(w, "row-1"), std::nullopt);
  EXPECT_EQ(read(w, "row-2"), "v");
  EXPECT_EQ(read(w, "row-1000"), "<absent>");
  EXPECT_EQ(w.size(), 1001u);
  w.rollback_to_savepoint();
  EXPECT_EQ(read(w, "before"), "1");
  EXPECT_EQ(read(w, "row-0"), "<absent>");
  EXPECT_EQ(w.size(), 1u);
}

}  // namespace
}  // namespace arflow::eventstore
