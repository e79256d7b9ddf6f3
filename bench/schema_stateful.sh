#!/usr/bin/env bash
# schemathesis's stateful phase against a live workbench: sequences of API calls, each using what
# earlier answers gave (the links between operations inferred by schemathesis from the schema),
# every check on but the two tests/api/test_schema_fuzz.py excludes, for the reasons given there.
#
#   make bench-schema-stateful        # or: bench/schema_stateful.sh [max examples per link, 30]
#
# It serves the demo desk (manage.py load_demo) from a database of its own with DEBUG off (the
# production error pages: JSON under /api/), signs in as its editor with a token, runs the phase
# and stops the server. Needs DATABASE_URL (PostgreSQL); the database it uses is <name>_stateful.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-30}"
base="${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server}"
server="${base%/*}"
database="${base##*/}_stateful"
port="${STATEFUL_PORT:-8765}"
token="schemathesis-stateful-000000000000000000"
export DATABASE_URL="$server/$database" REDIS_URL="" DEBUG=0 SECRET_KEY="bench-stateful-only-$RANDOM$RANDOM$RANDOM$RANDOM" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0

psql "${server/postgres:/postgresql:}/postgres" -q -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$database\""
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py shell -c "
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
Token.objects.get_or_create(user=User.objects.get(username='alice'), key='$token')"

.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload >/dev/null 2>&1 &
served=$!
trap 'kill $served 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/livez" && break
  sleep 1
done

.venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/?format=json" \
  --phases=stateful --max-examples="$examples" --no-color \
  -H "Authorization: Token $token" \
  --exclude-checks=positive_data_acceptance,negative_data_rejection
