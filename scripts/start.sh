#!/usr/bin/env bash
# Builds arflow and starts the whole system on its embedded defaults: the embedded Kafka
# broker and every arflow service, each with its RocksDB under ./data. Shows that it works,
# then keeps running until Ctrl-C (or SIGTERM), which stops everything cleanly.
#   ARFLOW_DATA=/path scripts/start.sh    another data directory
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data="${ARFLOW_DATA:-$root/data}"

bash scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$(nproc)" arflow-broker arflow $(bash scripts/services.sh targets)
bin=$root/build/bin
mkdir -p "$data"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping arflow"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

rm -f "$data/bootstrap"
"$bin/arflow-broker" --bootstrap-file "$data/bootstrap" >"$data/broker.out" 2>"$data/broker.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$data/bootstrap" ] && break; sleep 0.1; done
brokers=$(cat "$data/bootstrap")
echo "embedded Kafka broker: $brokers"

while read -r name grpc metrics; do
  "$bin/arflow-$name" --data-dir "$data/$name" --kafka-brokers "$brokers" \
    --grpc-addr "$grpc" --metrics-addr "$metrics" 2>"$data/$name.log" &
  pids+=($!)
  echo "arflow-$name: gRPC $grpc, metrics http://$metrics/metrics, log $data/$name.log"
done < <(bash scripts/services.sh list)

echo
echo "Topics on the embedded broker (kcat -L):"
kcat -b "$brokers" -L | grep -E "brokers|topic" || true
bash scripts/services.sh demo "$brokers" || true
echo
echo "arflow is running (data in $data). Ctrl-C stops it."
wait -n "${pids[@]}" || true
