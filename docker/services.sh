#!/usr/bin/env bash
# PostgreSQL and Redis for `make test-services`, `make bench` and CI, on this
# machine (no Docker): installs them from Debian's packages when missing,
# starts them on 127.0.0.1 and waits until both answer.
#
#   bash docker/services.sh          install (as root) if needed, then start
#   bash docker/services.sh status   say what is running, exit 1 if not both
#
# The PostgreSQL cluster accepts the `postgres` role without a password from
# the loopback addresses only (pg_hba "trust" on 127.0.0.1/::1): this is a
# development and CI database on a machine of its own, reachable from nowhere
# else. Production uses docker/compose.yaml with a password (README).
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
HBA_MARK="# musashino: loopback without password (docker/services.sh)"

say() { printf '== %s\n' "$*"; }

pg_up() { pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }

install_missing() {
  local packages=()
  command -v pg_ctlcluster >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null ||
    packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  # Not a service: tests/docker/test_nginx.py runs docker/nginx.conf in it.
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || packages+=(nginx-light)
  [ ${#packages[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${packages[*]}: run as root, or: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
  say "installing ${packages[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
}

pg_cluster() {
  # "15 main": the newest installed version's cluster, created if absent.
  local version
  version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
  if [ ! -d "/etc/postgresql/$version/main" ]; then
    say "creating PostgreSQL $version cluster 'main'"
    pg_createcluster --port "$PG_PORT" "$version" main >/dev/null
  fi
  echo "$version main"
}

allow_loopback() {
  local hba="/etc/postgresql/$1/main/pg_hba.conf"
  grep -qF "$HBA_MARK" "$hba" && return 0
  # First matching line wins in pg_hba.conf: put ours on top.
  {
    echo "$HBA_MARK"
    echo "host all all 127.0.0.1/32 trust"
    echo "host all all ::1/128 trust"
    cat "$hba"
  } >"$hba.new"
  chown --reference="$hba" "$hba.new"
  chmod --reference="$hba" "$hba.new"
  mv "$hba.new" "$hba"
  if pg_up; then pg_ctlcluster --skip-systemctl-redirect "$1" main reload; fi
}

start_postgres() {
  local cluster
  read -r -a cluster <<<"$(pg_cluster)"
  allow_loopback "${cluster[0]}"
  if ! pg_up; then
    say "starting PostgreSQL ${cluster[0]}"
    pg_ctlcluster --skip-systemctl-redirect "${cluster[0]}" main start
  fi
}

start_redis() {
  if ! redis_up; then
    say "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
      --save "" --appendonly no --logfile /tmp/musashino-redis.log
  fi
}

wait_for_both() {
  for _ in $(seq 1 30); do
    pg_up && redis_up && return 0
    sleep 1
  done
  echo "services did not come up: PostgreSQL $(pg_up && echo up || echo down)," \
    "Redis $(redis_up && echo up || echo down)" >&2
  return 1
}

case "${1:-start}" in
  start)
    install_missing
    start_postgres
    start_redis
    wait_for_both
    # The database `make test-services` and a PostgreSQL `make run` use.
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'musashino'" | grep -q 1 ||
      createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres musashino
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/musashino"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  status)
    echo "PostgreSQL: $(pg_up && echo up || echo down); Redis: $(redis_up && echo up || echo down)"
    pg_up && redis_up
    ;;
  *)
    echo "usage: $0 [start|status]" >&2
    exit 2
    ;;
esac
