# Helpers for the ops-dashboard serve tests (t41N). Source after lib.sh.

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_serve HOME [ARGS...]: ops-dashboard serve on a random loopback port;
# sets SERVE_PID and URL (ending in /).
start_serve() {
	_h=$1; shift
	rm -f "$T/serve.err"
	ops-dashboard --home "$_h" serve --listen 127.0.0.1:0 "$@" \
		</dev/null >"$T/serve.out" 2>"$T/serve.err" &
	SERVE_PID=$!
	_pids="$_pids $SERVE_PID"
	wait_for 10 grep -q 'serving ' "$T/serve.err"
	URL=$(sed -n 's/^ops-dashboard: serving //p' "$T/serve.err")
	[ -n "$URL" ] || fail "no URL in: $(cat "$T/serve.err")"
}

# http_code URL [curl args...]: the status curl gets (000: no answer).
http_code() {
	_u=$1; shift
	curl -s -o "$T/body" -w '%{http_code}' --max-time 10 "$@" "$_u" || true
}
