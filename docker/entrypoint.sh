#!/bin/sh
# Start Commonweal in its container: wait for the database, apply the migrations, then serve.
#
#   entrypoint.sh                 gunicorn with docker/gunicorn.conf.py (the image's default)
#   entrypoint.sh COMMAND ...     the migrations, then COMMAND instead of gunicorn
#                                 (RUN_MIGRATIONS=0 skips them, as compose's report worker does)
#
# Settings come from the environment (README.md, "Deploying"). COMMONWEAL_ENV defaults to
# production, which refuses to start without SECRET_KEY and PUBLIC_BASE_URL. The database
# gets DATABASE_WAIT_SECONDS (60) to answer before the start is abandoned.
set -eu

APP_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PYTHON=${PYTHON:-python}
COMMONWEAL_ENV=${COMMONWEAL_ENV:-production}
export COMMONWEAL_ENV
cd "$APP_DIR"

echo "==> Commonweal ($COMMONWEAL_ENV): waiting for the database" >&2
"$PYTHON" docker/wait_for_database.py --timeout "${DATABASE_WAIT_SECONDS:-60}"

if [ "${RUN_MIGRATIONS:-1}" = 1 ]; then
    echo "==> Applying the database migrations" >&2
    "$PYTHON" -m flask --app webapp db upgrade
fi

if [ "$#" -eq 0 ]; then
    set -- "$PYTHON" -m gunicorn --config docker/gunicorn.conf.py "webapp:create_app()"
fi
echo "==> Starting: $*" >&2
exec "$@"
