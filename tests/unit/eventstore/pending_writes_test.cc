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

}  // namespace
}  // namespace arflow::eventstore
