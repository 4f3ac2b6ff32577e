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
    if [ -f services/invoicing/main.cpp ] && [ -f services/payments/main.cpp ]; then
      # Then pay it: a payment of the invoice's balance, whose remittance text names the
      # invoice's number, auto-allocated by the payments service, which tells invoicing over
      # Kafka; the invoice turns PAID. Number and balance are read from `invoice get`'s text:
      #   invoice <id>  <number>  <status>    ...    balance       1612.55 EUR
      invoice=$("$a" invoice get "$id-inv" || true)
      number=$(printf '%s\n' "$invoice" | awk 'NR == 1 { print $3 }')
      balance=$(printf '%s\n' "$invoice" | awk '$1 == "balance" { print $2 " " $3 }')
      # Payments learns of the invoice from invoicing's events: wait until it is open there.
      for _ in $(seq 100); do
        open=$("$a" payment open-invoices "$id" 2>/dev/null || true)
        printf '%s\n' "$open" | awk -v inv="$id-inv" '$1 == inv { found = 1 } END { exit !found }' &&
          break
        sleep 0.2
      done
      echo
      echo "Demo: a payment of $balance for invoice $number through the payments API," \
        "auto-allocated by the number in its remittance text"
      "$a" payment record "$id-pay" --customer "$id" --amount "$balance" --method bank-transfer \
        --reference "$id-bank" --remittance "Invoice $number" --auto-allocate || true
      echo
      echo "The invoice, once invoicing applied the payment (build/bin/arflow invoice get):"
      for _ in $(seq 50); do
        status=$("$a" invoice get "$id-inv" 2>/dev/null | awk 'NR == 1 { print $4 }' || true)
        [ "$status" = PAID ] && break
        sleep 0.2
      done
      "$a" invoice get "$id-inv" || true
    fi
    ;;
esac
