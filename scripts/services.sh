#!/usr/bin/env bash
# services.sh: the servers that gogoscope's persistence tests talk to —
# Redis, PostgreSQL 15 and MariaDB — on 127.0.0.1, from Debian's packages; and
# Chromium for the inspector page's browser test (CHROME_PATH).
#
#   scripts/services.sh up     install what is missing, start what is not
#                              running, create the test user and database,
#                              print the DSNs as export lines
#   scripts/services.sh down [redis] [postgres] [mysql]
#                              stop the servers named (default: all three)
#   scripts/services.sh env    print the export lines only
#
# Every step is idempotent: `up` on running servers only prints the DSNs.
# Daemons are detached completely (setsid, stdio on /dev/null, inherited file
# descriptors closed), so that no caller's pipe is held open by a server:
# `make test | tee` and CI return as soon as the tests end.
#
# The servers are tuned for tests, not for keeping data through a crash of
# the machine: PostgreSQL runs with fsync off, MariaDB writes its log at
# each commit but flushes it once a second (a killed server loses nothing;
# a power cut could). Needs root (apt-get, runuser). Settings: GOGOSCOPE_SERVICES_DIR (state:
# pid files, logs, Redis's dir; default /tmp/gogoscope-services), and the
# ports REDIS_PORT, POSTGRES_PORT, MYSQL_PORT (6379, 5432, 3306).
set -euo pipefail

DIR=${GOGOSCOPE_SERVICES_DIR:-/tmp/gogoscope-services}
REDIS_PORT=${REDIS_PORT:-6379}
POSTGRES_PORT=${POSTGRES_PORT:-5432}
MYSQL_PORT=${MYSQL_PORT:-3306}
PG_VERSION=15
DB_USER=gogoscope
DB_PASS=gogoscope
DB_NAME=gogoscope

log() { echo "services: $*" >&2; }

# detach runs "$@" in a new session with stdio on /dev/null and every
# inherited descriptor above 2 closed, and does not wait for it.
detach() {
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
		done
		exec setsid "$@" </dev/null >/dev/null 2>&1
	) &
}

# wait_for tries "$@" every 0.1 s for up to 30 s.
wait_for() {
	local i
	for i in $(seq 300); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

need_packages() {
	local missing=()
	command -v redis-server >/dev/null || missing+=(redis-server)
	command -v mariadbd >/dev/null || missing+=(mariadb-server)
	command -v mariadb >/dev/null || missing+=(mariadb-client)
	[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ] || missing+=(postgresql-$PG_VERSION)
	# Chromium drives the inspector page's browser test (CHROME_PATH).
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
	fi
}

# STARTED lists the servers this run of `up` started (the others were
# running already); `up` prints it, so that a caller can stop only those.
STARTED=()

redis_up() {
	if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then return; fi
	STARTED+=(redis)
	mkdir -p "$DIR/redis"
	log "starting redis on 127.0.0.1:$REDIS_PORT"
	detach redis-server --daemonize no --bind 127.0.0.1 --port "$REDIS_PORT" --save '' \
		--appendonly no --dir "$DIR/redis" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
	wait_for sh -c "redis-cli -h 127.0.0.1 -p $REDIS_PORT ping | grep -q PONG" ||
		{ log "redis did not start; see $DIR/redis.log"; exit 1; }
}

redis_down() {
	if [ -f "$DIR/redis.pid" ]; then
		kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
		rm -f "$DIR/redis.pid"
	fi
}

pg_up() {
	if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PG_VERSION *main"; then
		log "creating the postgresql cluster $PG_VERSION/main"
		pg_createcluster "$PG_VERSION" main >&2
	fi
	install -d -o postgres -g postgres -m 2775 /var/run/postgresql
	if ! pg_lsclusters -h | grep -q "^$PG_VERSION *main *[0-9]* *online"; then
		log "starting postgresql $PG_VERSION on 127.0.0.1:$POSTGRES_PORT"
		STARTED+=(postgres)
		# pg_ctlcluster forks the server itself; detach keeps our stdio
		# out of it and waits for nothing.
		detach pg_ctlcluster "$PG_VERSION" main start -- -o "-c listen_addresses=127.0.0.1 -c port=$POSTGRES_PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		wait_for pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" ||
			{ log "postgresql did not start; see /var/log/postgresql/"; exit 1; }
	fi
	local psql=(runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$POSTGRES_PORT")
	if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
		"${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS'" >&2
	fi
	if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" != 1 ]; then
		"${psql[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >&2
	fi
}

pg_down() {
	if pg_lsclusters -h 2>/dev/null | grep -q "^$PG_VERSION *main *[0-9]* *online"; then
		pg_ctlcluster "$PG_VERSION" main stop -m fast >&2 || true
	fi
}

mysql_up() {
	install -d -o mysql -g mysql /run/mysqld
	if [ ! -d /var/lib/mysql/mysql ]; then
		log "initialising /var/lib/mysql"
		mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2
	fi
	if ! mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; then
		log "starting mariadb on 127.0.0.1:$MYSQL_PORT"
		STARTED+=(mysql)
		detach /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --port="$MYSQL_PORT" \
			--socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid --skip-log-bin \
			--innodb-flush-log-at-trx-commit=2 \
			--log-error="$DIR/mariadb.log"
		mkdir -p "$DIR"
		wait_for mariadb-admin --socket=/run/mysqld/mysqld.sock ping ||
			{ log "mariadb did not start; see $DIR/mariadb.log"; exit 1; }
	fi
	mariadb -u root --socket=/run/mysqld/mysqld.sock >&2 <<-SQL
		CREATE DATABASE IF NOT EXISTS $DB_NAME;
		CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
		CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
		GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';
		GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
	SQL
}

mysql_down() {
	if [ -f /run/mysqld/mysqld.pid ]; then
		local pid
		pid=$(cat /run/mysqld/mysqld.pid)
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
}

print_env() {
	cat <<-EOF
		export REDIS_URL='redis://127.0.0.1:$REDIS_PORT/0'
		export POSTGRES_DSN='postgres://$DB_USER:$DB_PASS@127.0.0.1:$POSTGRES_PORT/$DB_NAME?sslmode=disable'
		export MYSQL_DSN='$DB_USER:$DB_PASS@tcp(127.0.0.1:$MYSQL_PORT)/$DB_NAME'
	EOF
	local chrome
	chrome=$(command -v chromium || command -v chromium-browser || true)
	[ -z "$chrome" ] || echo "export CHROME_PATH='$chrome'"
}

case "${1:-}" in
up)
	mkdir -p "$DIR"
	need_packages
	redis_up
	pg_up
	mysql_up
	log "up"
	print_env
	echo "export GOGOSCOPE_SERVICES_STARTED='${STARTED[*]:-}'"
	;;
down)
	shift
	[ $# -gt 0 ] || set -- redis postgres mysql
	for s in "$@"; do
		case "$s" in
		redis) redis_down ;;
		postgres) pg_down ;;
		mysql) mysql_down ;;
		*) echo "services: unknown server $s" >&2; exit 2 ;;
		esac
	done
	log "down: $*"
	;;
env)
	print_env
	;;
*)
	echo "usage: $0 up|down|env" >&2
	exit 2
	;;
esac
