#pragma once
// Structured logs: one line per event of interest, key=value, to stderr.
//   ARFLOW_LOG_INFO("outbox_published", "count={} seq={}", n, seq);

#include <spdlog/spdlog.h>

namespace arflow {

// Installs the process-wide stderr logger with the service name in every line.
// Level from ARFLOW_LOG_LEVEL (trace|debug|info|warn|error), default info.
void init_logging(const char* service);

}  // namespace arflow

#define ARFLOW_LOG_INFO(event, ...) spdlog::info("event=" event " " __VA_ARGS__)
#define ARFLOW_LOG_WARN(event, ...) spdlog::warn("event=" event " " __VA_ARGS__)
#define ARFLOW_LOG_ERROR(event, ...) spdlog::error("event=" event " " __VA_ARGS__)
