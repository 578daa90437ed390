#!/bin/bash
# Email: a well-formed RFC 5322 message piped to `sendmail -t`, for CRITICAL
# alerts and for restart_loop (escalated), not for other WARNINGs.
# ALERT_EMAIL sets the address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
cat > "$T/sendmail" <<EOS
#!/bin/sh
echo "\$*" > "$T/args.\$\$"
cat > "$T/mail.\$\$"
EOS
chmod 700 "$T/sendmail"
alert_config "$H" '' "{\"sendmail\": \"$T/sendmail\"}"
# four restarts in the last hour (restarts_max 3): restart_loop, WARNING
for i in 1 2 3 4; do
	echo "[$(date '+%Y-%m-%d %H:%M:%S')] [INFO] restart: manual" >> "$H/logs/restart.log"
done
# no backup: backup_stale, WARNING, not emailed; dead PID: daemon_critical
ALERT_EMAIL='Ops Team <ops@example.org>' expect_rc 0 ops-alert --home "$H"
[ "$(deliveries)" = 3 ] || fail "expected 3 alerts on the command channel, got $(deliveries)"
[ "$(ls "$T"/mail.* | wc -l)" = 2 ] || fail "expected 2 mails: $(ls "$T")"
for a in "$T"/args.*; do [ "$(cat "$a")" = "-t -oi" ] || fail "sendmail args: $(cat "$a")"; done
python3 - "$T"/mail.* <<'EOF_PY'
import email, email.policy, email.utils, re, sys
types = set()
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    assert b"\r" not in raw, "bare CR"
    assert all(len(l) <= 998 for l in raw.split(b"\n")), "line too long"
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert not m.defects, m.defects
    for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"):
        assert m[h], "missing " + h
    assert m["To"] == "Ops Team <ops@example.org>", m["To"]
    assert m["MIME-Version"] == "1.0"
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    assert email.utils.parsedate_to_datetime(m["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", m["Message-ID"]), m["Message-ID"]
    assert email.utils.parseaddr(m["From"])[1].count("@") == 1, m["From"]
    body = m.get_content()
    t = m["X-Dharmic-Ops-Alert"]
    types.add(t)
    if t == "daemon_critical":
        assert m["Subject"].startswith("[dharmic-ops] CRITICAL: Daemon Critical Failure on "), m["Subject"]
        assert "Process not running" in body, body
    else:
        assert m["Subject"].startswith("[dharmic-ops] WARNING: Restart Loop on "), m["Subject"]
    assert "type:       %s" % t in body, body
assert types == {"daemon_critical", "restart_loop"}, types
EOF_PY
echo ok
