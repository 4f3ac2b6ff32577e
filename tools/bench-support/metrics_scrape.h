#pragma once
// A service's Prometheus metrics as the benchmarks read them: where they listen (from the
// service's log) and one scrape over plain HTTP/1.0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

namespace arflow::bench {

// The port of the log line `event=metrics_listening ... port=N`, 0 if absent.
inline int metrics_port_from_log(const std::string& log) {
  const auto at = log.find("event=metrics_listening");
  if (at == std::string::npos) {
    return 0;
  }
  const auto port = log.find(" port=", at);
  return port == std::string::npos ? 0 : std::atoi(log.c_str() + port + 6);
}

// GET http://127.0.0.1:port/metrics: each series by name, a labelled family summed over its
// labels. Empty on any failure.
inline std::map<std::string, double> scrape(int port) {
  std::map<std::string, double> out;
  if (port <= 0) {
    return out;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return out;
  }
  timeval tv{.tv_sec = 2, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[16384];
      ssize_t n = 0;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        body.append(buf, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto space = line.rfind(' ');
    if (space != std::string::npos) {
      const auto name_end = std::min(line.find('{'), space);
      out[line.substr(0, name_end)] += std::strtod(line.c_str() + space + 1, nullptr);
    }
  }
  return out;
}

}  // namespace arflow::bench
