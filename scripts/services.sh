#!/usr/bin/env bash
# The services scripts/start.sh brings up, in start order, with their default addresses
# (DESIGN.md, "Operations"). A service is listed once its directory exists.
#   services.sh list           name grpc-addr metrics-addr, one a line
#   services.sh targets        their build targets
#   services.sh demo BROKERS   shows each running service doing something
set -euo pipefail
cd "$(dirname "$0")/.."
all=("invoicing 127.0.0.1:50051 127.0.0.1:9464" "payments 127.0.0.1:50052 127.0.0.1:9465"
     "collections 127.0.0.1:50053 127.0.0.1:9466")
present=()
for s in "${all[@]}"; do
  [ -f "services/${s%% *}/main.cpp" ] && present+=("$s")
done
case "${1:-list}" in
  list) for s in "${present[@]+"${present[@]}"}"; do echo "$s"; done ;;
  targets) for s in "${present[@]+"${present[@]}"}"; do echo "arflow-${s%% *}"; done ;;
  demo)
    if [ ${#present[@]} -eq 0 ]; then
      echo
      echo "No service is built yet: the kernel and the embedded broker are up."
    fi
    ;;
esac
