#pragma once
// Names the calling thread as top, perf and /proc show it (at most 15 characters), so that a
// profile of a service reads "executor, committer, relay" instead of one process name.
#include <pthread.h>

namespace arflow {

inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace arflow
