#pragma once
// Aggregates folded from their streams, kept by the executor between commands so that
// loading one folds only the events appended since it was last seen, instead of reading,
// parsing and folding its whole stream again.
//
// An entry holds the stream's head (version and the tag of the head event) it was folded
// up to. It is used only while that event is still in the stream as the transaction sees
// it: an append rolled back with its command (and another appended in its place, with its
// own event id) leaves the entry void, and the stream is folded again from the start.
// Every fold is checked this way, so the cache can never make a command decide on a state
// the committed events do not say.
//
// Thread-safety: none; it lives on the loop's executor thread (Transaction::executor_local).

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "arflow/core/error.h"
#include "arflow/eventstore/transaction.h"

namespace arflow::eventstore {

template <class Aggregate>
class FoldCache {
 public:
  // Streams kept at most; past it the cache starts again empty (a miss costs one fold).
  static constexpr size_t kDefaultCapacity = 50'000;

  explicit FoldCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // `stream` folded up to its head as `txn` sees it: `empty` with every event folded in by
  // `fold(aggregate, event)`, starting from the cached fold when it is still good.
  template <class Fold>
  Result<Aggregate> load(Transaction& txn, std::string_view stream, Aggregate empty, Fold&& fold) {
    auto visit = [&](Aggregate& aggregate) {
      return [&fold, &aggregate](const Envelope& event) { fold(aggregate, event); };
    };
    if (auto it = entries_.find(stream); it != entries_.end()) {
      Aggregate aggregate = it->second.aggregate;
      auto head = txn.replay_after(stream, it->second.head, visit(aggregate));
      if (!head.ok()) {
        return head.status();
      }
      if (head->has_value()) {
        if (**head != it->second.head) {
          it->second = Entry{**head, aggregate};
        }
        return aggregate;
      }
      entries_.erase(it);  // folded from an event rolled back since
    }
    Aggregate aggregate = std::move(empty);
    auto head = txn.replay_after(stream, StreamHead{}, visit(aggregate));
    if (!head.ok()) {
      return head.status();
    }
    if ((*head)->version > 0) {
      keep_at(std::string(stream), **head, aggregate);
    }
    return aggregate;
  }

  // Keeps `aggregate`, folded up to version `folded`, as `stream` folded up to its head in
  // `txn`: call it after appending the events `aggregate` has folded in, so that the next
  // load folds nothing. INTERNAL (a bug in the caller) when `folded` is not the head.
  absl::Status keep(Transaction& txn, std::string_view stream, const Aggregate& aggregate,
                    uint64_t folded) {
    auto head = txn.stream_head(stream);
    if (!head.ok()) {
      return head.status();
    }
    if (head->version != folded) {
      return absl::InternalError(fmt::format(
          "stream {} is at version {}: an aggregate folded up to {} cannot be kept as its fold",
          stream, head->version, folded));
    }
    if (auto it = entries_.find(stream); it != entries_.end()) {
      it->second = Entry{*head, aggregate};
    } else {
      keep_at(std::string(stream), *head, aggregate);
    }
    return absl::OkStatus();
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    StreamHead head;
    Aggregate aggregate;
  };

  void keep_at(std::string stream, StreamHead head, const Aggregate& aggregate) {
    if (entries_.size() >= capacity_) {
      entries_.clear();
    }
    entries_.emplace(std::move(stream), Entry{head, aggregate});
  }

  size_t capacity_;
  std::unordered_map<std::string, Entry, StreamNameHash, std::equal_to<>> entries_;
};

}  // namespace arflow::eventstore
