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

#include <absl/container/node_hash_map.h>
#include <fmt/format.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arflow/core/error.h"
#include "arflow/eventstore/transaction.h"

namespace arflow::eventstore {

template <class Aggregate>
class FoldCache {
 public:
  // Streams kept at most; past it each stream a load folds takes the place of one kept at
  // random (a miss costs one fold). At random, not the least recently used: invoices are
  // mostly paid in the order they were issued, a cyclic pattern in which LRU (or starting
  // again empty) misses every time once the invoices outnumber the capacity, while a random
  // victim keeps most of them (simulated: 72% hits with 60,000 invoices for 50,000 places).
  static constexpr size_t kDefaultCapacity = 50'000;

  explicit FoldCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  // streams_ views the keys of entries_: a copy would view the original's.
  FoldCache(const FoldCache&) = delete;
  FoldCache& operator=(const FoldCache&) = delete;

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
        if (**head != it->second.head) {  // the entry at hand: no second lookup
          it->second.head = **head;
          it->second.aggregate = aggregate;
        }
        return aggregate;
      }
      forget(it);  // folded from an event rolled back since
    }
    Aggregate aggregate = std::move(empty);
    auto head = txn.replay_after(stream, StreamHead{}, visit(aggregate));
    if (!head.ok()) {
      return head.status();
    }
    if ((*head)->version > 0) {
      keep_new(stream, **head, aggregate);
    }
    return aggregate;
  }

  // Keeps `aggregate`, folded up to version `folded`, as `stream` folded up to its head in
  // `txn`: call it after appending the events `aggregate` has folded in, so that the next
  // load folds nothing. Once the cache is full, a stream not kept yet stays out: a place then
  // goes to a stream a command came back to (a load that had to fold it), never to one a
  // command just created. Most streams written once are read again long after, if ever (an
  // invoice issued, paid days later), and taking a place for each of them cost a copy and an
  // eviction per stream created. INTERNAL (a bug in the caller) when `folded` is not the head
  // of a stream it keeps.
  absl::Status keep(Transaction& txn, std::string_view stream, const Aggregate& aggregate,
                    uint64_t folded) {
    auto it = entries_.find(stream);
    if (it == entries_.end() && entries_.size() >= capacity_) {
      return absl::OkStatus();
    }
    auto head = txn.stream_head(stream);
    if (!head.ok()) {
      return head.status();
    }
    if (head->version != folded) {
      return absl::InternalError(fmt::format(
          "stream {} is at version {}: an aggregate folded up to {} cannot be kept as its fold",
          stream, head->version, folded));
    }
    if (it == entries_.end()) {
      keep_new(stream, *head, aggregate);
    } else {
      it->second.head = *head;
      it->second.aggregate = aggregate;
    }
    return absl::OkStatus();
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    StreamHead head;
    Aggregate aggregate;
    size_t slot = 0;  // its place in streams_
  };
  // Node-based: streams_ views its keys.
  using Entries = absl::node_hash_map<std::string, Entry, StreamNameHash, std::equal_to<>>;

  // Keeps `aggregate` as `stream` folded up to `head`, in a new entry (that of another
  // stream when full). `stream` is not kept yet: its entry was not found, or forgotten.
  void keep_new(std::string_view stream, StreamHead head, const Aggregate& aggregate) {
    if (entries_.size() >= capacity_ && !streams_.empty()) {
      forget(entries_.find(streams_[victims_() % streams_.size()]));
    }
    auto it = entries_.emplace(std::string(stream), Entry{head, aggregate, streams_.size()}).first;
    streams_.push_back(it->first);
  }

  void forget(typename Entries::iterator it) {
    const size_t slot = it->second.slot;
    if (slot + 1 != streams_.size()) {
      streams_[slot] = streams_.back();
      entries_.find(streams_[slot])->second.slot = slot;
    }
    streams_.pop_back();
    entries_.erase(it);
  }

  size_t capacity_;
  Entries entries_;
  // The kept streams' names (views of entries_' keys, which stay put), to pick a victim.
  std::vector<std::string_view> streams_;
  std::minstd_rand victims_;  // fixed seed: the same loads miss the same way in every run
};

}  // namespace arflow::eventstore
