#!/usr/bin/env bash
# Contract fuzz of the HTTP API with schemathesis, against the served OpenAPI schema: zero 5xx allowed.
#
#   scripts/fuzz_api.sh                      # start the app on a free port, fuzz it, stop it
#   MAX_EXAMPLES=200 CHECKS=all scripts/fuzz_api.sh
#   DATA_DIR=/tmp/ingested scripts/fuzz_api.sh   # reuse a data dir whose store is already ingested
#
# The app runs with an API key and an agent token (both sent on every request, so the fuzz reaches
# past authentication; the helpdesk inbound endpoint still needs its signature) and its rate
# limits raised out of the way. Path parameter session_id is pinned to a real
# conversation so message, transcript, token and event operations run for real; other values
# are generated. Exit status: schemathesis's (non-zero when any check failed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ST=${ST:-.venv/bin/schemathesis}
MAX_EXAMPLES=${MAX_EXAMPLES:-30}
CHECKS=${CHECKS:-not_a_server_error}
DATA_DIR=${DATA_DIR:-$(mktemp -d -t fuzz-api-XXXX)}
WORK=$(mktemp -d -t fuzz-run-XXXX)
KEY="fuzz-$($PY -c 'import secrets; print(secrets.token_hex(16))')"
AGENT="agent-$($PY -c 'import secrets; print(secrets.token_hex(16))')"
INBOUND="inbound-$($PY -c 'import secrets; print(secrets.token_hex(16))')"
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:${PORT}"

ASSISTANT_DATA_DIR="$DATA_DIR" ASSISTANT_HTTP__API_KEYS="[\"$KEY\"]" \
ASSISTANT_HTTP__RATE_LIMIT_PER_IP=100000000 ASSISTANT_HTTP__RATE_LIMIT_PER_SESSION=100000 \
ASSISTANT_HELPDESK__AGENT_TOKEN="$AGENT" ASSISTANT_HELPDESK__INBOUND_SECRET="$INBOUND" \
GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
  "$PY" -m uvicorn assistant.web.server:create_app --factory --host 127.0.0.1 --port "$PORT" \
  --log-level warning >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT

for _ in $(seq 1 1200); do                       # a fresh data dir ingests the demo store first
  if curl -fs "$URL/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $SERVER 2>/dev/null; then cat "$WORK/server.log"; exit 1; fi
  sleep 0.5
done
SESSION_ID=$(curl -fs -X POST "$URL/api/v1/sessions" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["session_id"])')
cat >"$WORK/schemathesis.toml" <<EOF
[parameters]
session_id = "${SESSION_ID}"
EOF

set +e
"$ST" --config-file "$WORK/schemathesis.toml" run "$URL/openapi.json" \
  --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --header "X-API-Key: $KEY" --header "X-Agent-Token: $AGENT" \
  --phases examples,coverage,fuzzing --request-timeout 60 --workers 1 --seed "${SEED:-1}" \
  --report junit --report-dir "$WORK/report"
STATUS=$?
set -e
echo "--- the server's own count of responses by status (from /metrics):"
curl -fs "$URL/metrics" | grep '^assistant_http_requests_total' \
  | "$PY" -c 'import collections, re, sys
counts = collections.Counter()
for line in sys.stdin:
    counts[re.search(r"status=\"(\d+)\"", line).group(1)] += float(line.rsplit(" ", 1)[1])
print(dict(sorted(counts.items())), "5xx:", sum(v for k, v in counts.items() if k.startswith("5")))'
echo "server log: $WORK/server.log"
exit $STATUS
