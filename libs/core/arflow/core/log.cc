#include "arflow/core/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <string>

namespace arflow {

void init_logging(const char* service) {
  auto logger = spdlog::stderr_logger_mt(service);
  logger->set_pattern(std::string("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l service=") + service + " %v",
                      spdlog::pattern_time_type::utc);
  if (const char* level = std::getenv("ARFLOW_LOG_LEVEL")) {
    logger->set_level(spdlog::level::from_str(level));
  }
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace arflow
