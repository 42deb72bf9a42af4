#!/usr/bin/env bash
# Run the appliance's own Redis: AOF persistence, unix socket, one password
# per daemon (ACL users), state in one directory.
#
#   appliance/redis.sh start DIR [--port P] [--group G] [--maxmemory SIZE]
#   appliance/redis.sh stop DIR
#   appliance/redis.sh status DIR
#   appliance/redis.sh cli DIR [--as USER] [REDIS-CLI ARGS...]
#   appliance/redis.sh passwords DIR [USER]
#   appliance/redis.sh run DIR [--port P] [--group G] [--maxmemory SIZE]
#
# start   creates DIR (mode 0700) if needed, makes each user's password once,
#         writes DIR/users.acl and DIR/redis.conf, starts redis-server in the
#         background, waits until it answers PING and prints the socket path.
#         On a running instance it says so and prints the path, exit 0.
#         --port P also listens on 127.0.0.1/::1 port P (TCP is off by
#         default); --group G makes DIR and the socket usable by group G;
#         --maxmemory caps memory (default 1gb, or $SOC_REDIS_MAXMEMORY).
# stop    clean SHUTDOWN (AOF flushed to disk) and waits for the process.
# status  prints "running ..." (exit 0), "not answering ..." (exit 1) or
#         "stopped" (exit 3).
# cli     redis-cli over the socket as admin (or --as USER).
# passwords  lists "USER FILE" for every user, or prints USER's password.
# run     like start, but in the foreground under systemd (soc-redis.service).
#
# Layout of DIR: redis.sock, redis.conf, users.acl, redis.pid, redis.log,
# secrets/<user>.pass (0600), data/appendonlydir/ (the AOF).
# Users: admin (everything), ingest, correlator, console, forwarder (least
# privilege, see acl_rules); "default" is off, so there is no anonymous access.
set -euo pipefail
umask 077

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
USERS=(admin ingest correlator console forwarder)
TIMEOUT="${SOC_REDIS_TIMEOUT:-60}" # seconds to wait for start or stop

die() {
  echo "redis: $*" >&2
  exit 1
}

usage() {
  sed -n '5,10p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
  exit 2
}

template_path() {
  local t
  for t in "${SOC_REDIS_TEMPLATE:-}" "$HERE/redis/redis.conf.in" \
    /usr/local/share/soc/redis/redis.conf.in; do
    if [ -n "$t" ] && [ -r "$t" ]; then
      echo "$t"
      return 0
    fi
  done
  die "redis.conf.in not found (looked beside $0 and in /usr/local/share/soc/redis)"
}

need_tools() {
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  command -v redis-cli >/dev/null || die "redis-cli not found (apt-get install redis-tools)"
}

# --- the state directory --------------------------------------------------------

# Paths go into redis.conf inside double quotes: keep them to characters that
# need no escaping there, and short enough for a unix socket address.
set_dir() {
  local d="$1"
  case "$d" in /*) ;; *) d="$PWD/$d" ;; esac
  d="${d%/}"
  [ -n "$d" ] || die "DIR: refusing to use /"
  [[ "$d" =~ ^[A-Za-z0-9/._+@,:-]+$ ]] ||
    die "$d: unsupported character in path (use letters, digits and / . _ + @ , : -)"
  DIR="$d"
  SOCK="$DIR/redis.sock"
  CONF="$DIR/redis.conf"
  ACL="$DIR/users.acl"
  PIDFILE="$DIR/redis.pid"
  LOG="$DIR/redis.log"
  SECRETS="$DIR/secrets"
  DATA="$DIR/data"
  # sun_path holds 108 bytes including the terminating NUL
  [ "${#SOCK}" -le 107 ] || die "$SOCK: socket path longer than 107 bytes; use a shorter DIR"
}

# Create DIR, or adopt it when empty; never take over a directory that holds
# something else (we chmod it and write into it).
make_dir() {
  if [ -e "$DIR" ] && [ ! -d "$DIR" ]; then
    die "$DIR: exists and is not a directory"
  fi
  if [ -d "$DIR" ] && [ ! -d "$SECRETS" ] && [ -n "$(ls -A "$DIR")" ]; then
    die "$DIR: not empty and not a redis.sh directory (no secrets/); give a new or empty directory"
  fi
  mkdir -p "$DIR" "$SECRETS" "$DATA" || die "$DIR: cannot create"
  chmod 0700 "$SECRETS" "$DATA"
  if [ -n "$GROUP" ]; then
    # setgid: the socket Redis creates in DIR inherits group G
    chgrp "$GROUP" "$DIR" || die "$DIR: cannot give it to group $GROUP"
    chmod 2750 "$DIR"
  else
    chmod 0700 "$DIR"
  fi
}

# Serialise start/stop/passwords on one DIR. The descriptor must not leak
# into redis-server (it would hold the lock for its lifetime): callers close
# fd 9 for it.
lock_dir() {
  exec 9>"$DIR/.lock"
  flock -w "$TIMEOUT" 9 || die "$DIR: another redis.sh holds the lock"
}

# --- passwords and users -----------------------------------------------------------

gen_password() {
  # 32 random bytes as 64 hex digits: no quoting issues anywhere
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

make_passwords() {
  local u f tmp
  for u in "${USERS[@]}"; do
    f="$SECRETS/$u.pass"
    if [ ! -s "$f" ]; then
      tmp="$f.tmp.$$"
      gen_password >"$tmp"
      [ "$(wc -c <"$tmp")" -eq 64 ] || die "/dev/urandom: could not read random bytes"
      chmod 0600 "$tmp"
      mv -f "$tmp" "$f"
    fi
  done
}

password() {
  local f="$SECRETS/$1.pass" p
  [ -r "$f" ] || die "$f: missing (run: redis.sh passwords $DIR)"
  p="$(head -n 1 "$f")"
  [[ "$p" =~ ^[[:graph:]]+$ ]] || die "$f: password must be one line of printable characters, no spaces"
  printf '%s' "$p"
}

# Redis ACL rules per user. Key patterns: ~P read+write, %R~P read only,
# %W~P write only; "(...)" is a selector: its commands apply to its keys only,
# so e.g. the correlator may consume soc:events:* but not add to it.
# Every daemon: connection basics only, minus anything in @admin/@dangerous
# (FLUSHALL, FLUSHDB, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL, MODULE, MONITOR,
# CLIENT KILL/LIST, SAVE, SORT, MIGRATE, RESTORE, INFO...), then per user:
acl_rules() {
  local base='resetkeys resetchannels -@all +@connection -@admin -@dangerous'
  # plain data access for the user's own key patterns (keyspace-wide commands
  # such as SCAN/RANDOMKEY/DBSIZE/RENAME/COPY/MOVE stay out)
  local data='+@read +@write -@keyspace -@dangerous -@admin -@scripting
    +del +unlink +exists +type +expire +pexpire +expireat +pexpireat +persist
    +ttl +pttl +expiretime +pexpiretime'
  # atomic updates: Lua scripts (each redis.call is checked against the same
  # ACL) and MULTI/EXEC; no SCRIPT FLUSH/KILL, no FUNCTION
  local atomic='+eval +evalsha +eval_ro +evalsha_ro +script|load +script|exists
    +multi +exec +discard +watch +unwatch'
  # consuming a stream as a consumer group
  local consume='+xreadgroup +xack +xgroup|create +xgroup|createconsumer
    +xgroup|delconsumer +xgroup|setid +xpending +xautoclaim +xclaim
    +xinfo|stream +xinfo|groups +xinfo|consumers +xlen +xrange +xrevrange'
  case "$1" in
    admin) echo '~* &* +@all' ;;
    ingest)
      # events in, dedup/sequence state, sensor registry; no deletes, no
      # trimming of streams it does not consume
      echo "$base ~soc:events:* ~soc:ingest:* ~soc:sensor:* ~soc:sensors
        +xadd +xlen +xrange +xrevrange +xinfo|stream
        +hset +hsetnx +hget +hmget +hgetall +hincrby +hexists
        +sadd +smembers +sismember
        +get +set +mget +incr +incrby +exists +expire +pexpire +ttl +pttl
        $atomic"
      ;;
    correlator)
      # its own state: read/write; sensor registry: read; event streams:
      # consume and trim (after acking), never add
      echo "$base ~soc:incident* ~soc:queue:* ~soc:corr:* ~soc:outbox:* ~soc:asset*
        ~soc:intel:* %R~soc:sensor* $data $atomic
        (~soc:events:* $consume +xtrim)"
      ;;
    console)
      # analysts: read everything under soc:*, work incidents and queues;
      # the audit trail is append-only for it
      echo "$base %R~soc:* ~soc:incident* ~soc:queue:* $data $atomic
        +scan +dbsize +info +memory|usage +slowlog|get +slowlog|len
        (%W~soc:audit:* +xadd) (%W~soc:outbox:* +xadd)"
      ;;
    forwarder)
      # consume the outbox (and delete what it has queued), read incidents,
      # keep delivery state, append to incident timelines (XADD only)
      echo "$base %R~soc:incident* ~soc:forward:* $data $atomic
        (~soc:outbox:* $consume +xdel)
        (%W~soc:incident:* +xadd)"
      ;;
    *) die "internal: no ACL for user $1" ;;
  esac
}

# The ACL file is rewritten on every start from the rules above and the
# password files (only the SHA-256 of each password goes into it), so this
# script stays the single source of truth for who may do what (Redis allows
# no comments in an ACL file: edit acl_rules, not the file).
write_acl() {
  local tmp="$ACL.tmp.$$" u hash rules
  # "default" is off, so nobody can log in as it; it keeps all rights
  # because Redis 7.0 replays the AOF's MULTI/EXEC blocks (how it logs Lua
  # scripts' writes) as "default" and would drop them on restart otherwise
  # (redis/redis#14541).
  {
    echo "user default off resetkeys resetchannels ~* &* +@all"
    for u in "${USERS[@]}"; do
      hash="$(password "$u" | sha256sum | cut -d' ' -f1)"
      rules="$(acl_rules "$u" | tr -s ' \n' '  ')"
      echo "user $u on #$hash $rules"
    done
  } >"$tmp"
  mv -f "$tmp" "$ACL"
}

# --- redis.conf ----------------------------------------------------------------------

write_conf() {
  local tmpl tmp="$CONF.tmp.$$" line perm=700 logfile="$LOG"
  tmpl="$(template_path)"
  [ -z "$GROUP" ] || perm=770
  [ "$MODE" != run ] || logfile="" # foreground: stdout, i.e. the journal
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line//@SOCKET@/"$SOCK"}"
    line="${line//@SOCKETPERM@/"$perm"}"
    line="${line//@PORT@/"$PORT"}"
    line="${line//@PIDFILE@/"$PIDFILE"}"
    line="${line//@LOGFILE@/"$logfile"}"
    line="${line//@DATADIR@/"$DATA"}"
    line="${line//@ACLFILE@/"$ACL"}"
    line="${line//@MAXMEMORY@/"$MAXMEMORY"}"
    printf '%s\n' "$line"
  done <"$tmpl" >"$tmp"
  local unknown
  unknown="$(grep -v '^[[:space:]]*#' "$tmp" | grep -o '@[A-Z]*@' | head -n 1)" || true
  if [ -n "$unknown" ]; then
    rm -f "$tmp"
    die "$tmpl: unknown placeholder $unknown"
  fi
  mv -f "$tmp" "$CONF"
}


# --- talking to it -------------------------------------------------------------------

# redis-cli as USER; the password goes through the environment, not argv
# (argv is visible to every user in ps).
as_user() {
  local u="$1" pw
  shift
  pw="$(password "$u")"
  REDISCLI_AUTH="$pw" redis-cli -s "$SOCK" --user "$u" "$@"
}

answers() {
  [ -S "$SOCK" ] || return 1
  [ "$(as_user admin PING 2>/dev/null </dev/null)" = PONG ]
}

pid_alive() {
  local pid
  [ -r "$PIDFILE" ] || return 1
  pid="$(head -n 1 "$PIDFILE" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # a stale pidfile may name a recycled pid: it must be a redis-server, and
  # not a zombie (dead, waiting to be reaped by init)
  # (read from /proc, so procps need not be installed)
  local comm stat
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }" # the state letter follows "(comm) "
  case "$stat" in Z* | X*) return 1 ;; esac
  case "$comm" in
    redis-server*) ;;
    *) return 1 ;;
  esac
  echo "$pid"
}

log_tail() {
  [ -r "$LOG" ] || return 0
  echo "redis: last lines of $LOG:" >&2
  tail -n 5 "$LOG" | sed 's/^/  /' >&2
}

# --- commands --------------------------------------------------------------------------

cmd_start() {
  need_tools
  make_dir
  lock_dir
  make_passwords
  if answers; then
    echo "redis: already running (pid $(pid_alive || echo '?'))" >&2
    echo "$SOCK"
    return 0
  fi
  if pid_alive >/dev/null; then
    die "a redis-server (pid $(pid_alive)) owns $DIR but does not answer; try: redis.sh stop $DIR"
  fi
  write_acl
  write_conf
  rm -f "$PIDFILE"
  local out
  if ! out="$(redis-server "$CONF" --daemonize yes 9>&- 2>&1)"; then
    echo "$out" >&2
    die "redis-server refused to start with $CONF"
  fi
  local waited=0
  while ! answers; do
    # the pidfile appears once the server is up; if it names a dead process
    # the server gave up (bad AOF, bad ACL file...)
    if [ -e "$PIDFILE" ] && ! pid_alive >/dev/null; then
      log_tail
      die "redis-server exited during start-up"
    fi
    if [ "$waited" -ge $((TIMEOUT * 10)) ]; then
      log_tail
      die "no answer on $SOCK after ${TIMEOUT}s (raise SOC_REDIS_TIMEOUT if the AOF is large)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$SOCK"
}

cmd_run() {
  need_tools
  make_dir
  lock_dir
  make_passwords
  if answers; then
    die "already running on $SOCK"
  fi
  write_acl
  write_conf
  rm -f "$PIDFILE"
  exec 9>&-
  exec redis-server "$CONF" --daemonize no --supervised systemd
}

cmd_stop() {
  [ -d "$SECRETS" ] || return 0 # nothing was ever started here
  need_tools
  lock_dir
  local pid
  pid="$(pid_alive)" || pid=""
  if answers; then
    # SHUTDOWN fsyncs the AOF before exiting; the connection just closes
    as_user admin SHUTDOWN </dev/null >/dev/null 2>&1 || true
  elif [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true # same clean shutdown, by signal
  else
    return 0
  fi
  local waited=0
  while pid_alive >/dev/null || answers; do
    if [ "$waited" -ge $((TIMEOUT * 10)) ]; then
      log_tail
      die "still running after ${TIMEOUT}s (pid ${pid:-?})"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

cmd_status() {
  local pid tcp=""
  pid="$(pid_alive)" || pid=""
  if [ -d "$SECRETS" ] && answers; then
    local port
    port="$(as_user admin CONFIG GET port </dev/null 2>/dev/null | sed -n 2p)"
    [ "${port:-0}" = 0 ] || tcp=", tcp 127.0.0.1:$port"
    echo "running (pid ${pid:-?}), socket $SOCK$tcp"
    return 0
  fi
  if [ -n "$pid" ]; then
    echo "not answering (pid $pid), see $LOG"
    return 1
  fi
  echo "stopped"
  return 3
}

cmd_cli() {
  need_tools
  local u=admin
  if [ "${1:-}" = --as ]; then
    [ $# -ge 2 ] || die "cli: --as needs a user"
    u="$2"
    shift 2
  fi
  [ -S "$SOCK" ] || die "$SOCK: no socket (is it started? redis.sh start $DIR)"
  local pw
  pw="$(password "$u")"
  REDISCLI_AUTH="$pw" exec redis-cli -s "$SOCK" --user "$u" "$@"
}

cmd_passwords() {
  make_dir
  lock_dir
  make_passwords
  local u
  if [ $# -ge 1 ]; then
    for u in "${USERS[@]}"; do
      if [ "$u" = "$1" ]; then
        password "$u"
        echo
        return 0
      fi
    done
    die "passwords: no user '$1' (users: ${USERS[*]})"
  fi
  for u in "${USERS[@]}"; do
    echo "$u $SECRETS/$u.pass"
  done
}

# --- arguments ------------------------------------------------------------------------

[ $# -ge 2 ] || usage
MODE="$1"
shift
set_dir "$1"
shift
PORT=0 GROUP="" MAXMEMORY="${SOC_REDIS_MAXMEMORY:-1gb}"

parse_start_opts() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --port)
        [ $# -ge 2 ] || die "--port needs a number"
        if ! [[ "$2" =~ ^[0-9]{1,5}$ ]] || [ "$2" -lt 1 ] || [ "$2" -gt 65535 ]; then
          die "--port: expected 1..65535, got '$2'"
        fi
        PORT="$2"
        shift 2
        ;;
      --group)
        [ $# -ge 2 ] || die "--group needs a group name"
        getent group "$2" >/dev/null || die "--group: no group '$2'"
        GROUP="$2"
        shift 2
        ;;
      --maxmemory)
        [ $# -ge 2 ] || die "--maxmemory needs a size"
        MAXMEMORY="$2"
        shift 2
        ;;
      *) die "$MODE: unknown option '$1'" ;;
    esac
  done
  [[ "$MAXMEMORY" =~ ^[0-9]+([kKmMgG][bB]?)?$ ]] ||
    die "maxmemory: expected a size like 512mb or 2gb, got '$MAXMEMORY'"
}

case "$MODE" in
  start | run)
    parse_start_opts "$@"
    "cmd_$MODE"
    ;;
  stop | status)
    [ $# -eq 0 ] || die "$MODE: unexpected argument '$1'"
    "cmd_$MODE"
    ;;
  cli) cmd_cli "$@" ;;
  passwords)
    [ $# -le 1 ] || die "passwords: at most one user"
    cmd_passwords "$@"
    ;;
  *) usage ;;
esac
