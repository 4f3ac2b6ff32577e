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
    if [ -f services/invoicing/main.cpp ]; then
      # Show it working: a customer and an issued invoice, through the CLI. Ids are fresh on
      # every start, so a second start on the same data adds a new pair.
      a=build/bin/arflow
      id="demo-$(date +%s)"
      for _ in $(seq 50); do "$a" customer list >/dev/null 2>&1 && break; sleep 0.2; done
      echo
      echo "Demo: a customer and an invoice issued through the invoicing API (build/bin/arflow)"
      "$a" customer create "$id" --name "Démo SARL" --profile business --language fr \
        --email compta@demo.example --address-line "1 rue de la Paix" --postal-code 75002 \
        --city Paris --country FR --terms net:30 | head -3
      "$a" invoice create "$id-inv" --customer "$id" --currency EUR \
        --line "Consulting;3;450.00;20" --line "Travel;1;120.50;10" --issue --series DEMO
    fi
    ;;
esac
