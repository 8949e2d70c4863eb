#!/usr/bin/env bash
# Entrypoint of the portal's image, for web, worker and beat alike:
#
#   1. refuse to start with the placeholder secrets of docker/.env.example;
#   2. wait for the database (DATABASE_WAIT_TIMEOUT seconds, default 60);
#   3. apply migrations when this container is the web server (the command
#      is gunicorn) or MIGRATE=1; MIGRATE=0 never migrates;
#   4. run the command (exec, so it receives the container's signals).
#
# Bash only for pipefail; the rest is POSIX sh.
set -euo pipefail

say() {
    printf 'entrypoint: %s\n' "$*" >&2
}

case "${DJANGO_SECRET_KEY:-}${DATABASE_URL:-}" in
    *change-me*)
        say "DJANGO_SECRET_KEY or the database password still holds a change-me"
        say "placeholder from docker/.env.example; set real values in docker/.env."
        exit 64
        ;;
esac

wait_for_database() {
    # Django's own connection, so the URL is read exactly as the app reads it.
    python - <<'PY'
import os
import sys
import time

import django

os.environ.setdefault("PGCONNECT_TIMEOUT", "5")
django.setup()

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError

timeout = float(os.environ.get("DATABASE_WAIT_TIMEOUT", "60"))
database = settings.DATABASES["default"]
where = f"{database.get('HOST') or 'local'}:{database.get('PORT') or '-'}/{database['NAME']}"
deadline = time.monotonic() + timeout
attempt = 0
while True:
    attempt += 1
    try:
        connection.ensure_connection()
    except OperationalError as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(
                f"entrypoint: gave up waiting for the database {where} after "
                f"{timeout:g} s ({attempt} attempts): {reason}"
            )
        if attempt == 1 or attempt % 5 == 0:
            sys.stderr.write(f"entrypoint: waiting for the database {where}: {reason}\n")
        time.sleep(min(2.0, left))
    else:
        connection.close()
        break
PY
}

wait_for_database

if [ -z "${MIGRATE:-}" ]; then
    case "$(basename -- "${1:-}")" in
        gunicorn) MIGRATE=1 ;;
        *) MIGRATE=0 ;;
    esac
fi
if [ "$MIGRATE" = "1" ]; then
    say "applying migrations"
    python manage.py migrate --noinput
fi

exec "$@"
