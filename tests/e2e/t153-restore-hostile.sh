#!/bin/bash
# A corpus of hostile archives, each built here with python3's tarfile:
# every one is refused by `ops-backup verify` and by `ops-restore`, which
# touch nothing: the agent keeps its PID, memory/ keeps its inode and
# contents, nothing is written outside the home.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
C=$T/corpus
mkdir "$C"
python3 - "$C" "$T" <<'PY'
import hashlib, io, json, os, sys, tarfile
C, T = sys.argv[1], sys.argv[2]
good = b"good data\n" * 100

def manifest(files, total=None):
    sha = "".join("%s  %s\n" % (hashlib.sha256(d).hexdigest(), n) for n, d in files)
    js = {"format": 1, "created": "2026-01-01T00:00:00+00:00",
          "total_size": sum(len(d) for n, d in files) if total is None else total,
          "files": [{"name": n, "size": len(d), "kind": "file"} for n, d in files]}
    return sha.encode(), json.dumps(js).encode()

def add(tf, n, d):
    ti = tarfile.TarInfo(n); ti.size = len(d); ti.mode = 0o600
    tf.addfile(ti, io.BytesIO(d))

def build(name, listed, members, mode="w", sha=None, js=None, after=(), with_sha=True):
    """listed: (name, data) in the manifests; members: TarInfo, data pairs
    between MANIFEST.json (first) and MANIFEST.sha256 (last)."""
    s, j = manifest(listed)
    s = s if sha is None else sha
    j = j if js is None else js
    with tarfile.open(os.path.join(C, name), mode, format=tarfile.PAX_FORMAT) as tf:
        add(tf, "MANIFEST.json", j)
        d = tarfile.TarInfo("memory"); d.type = tarfile.DIRTYPE; d.mode = 0o700
        tf.addfile(d)
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
        if with_sha:
            add(tf, "MANIFEST.sha256", s)
        for ti, data in after:
            tf.addfile(ti, io.BytesIO(data))

def reg(n, data, mode=0o600):
    ti = tarfile.TarInfo(n); ti.size = len(data); ti.mode = mode
    return ti, data

def special(n, typ, **kw):
    ti = tarfile.TarInfo(n); ti.type = typ; ti.mode = 0o600
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, None

ok = [("memory/a.json", good)]
build("abs-path.tar", ok, [reg("memory/a.json", good), reg(T + "/evil-abs", good)])
build("dotdot.tar", ok, [reg("memory/a.json", good), reg("memory/../../evil-dotdot", good)])
build("dotdot-listed.tar", ok + [("memory/../x", good)], [reg("memory/a.json", good)])
build("symlink.tar", ok, [reg("memory/a.json", good),
      special("memory/link", tarfile.SYMTYPE, linkname="/etc/passwd")])
build("hardlink.tar", ok, [reg("memory/a.json", good),
      special("memory/hard", tarfile.LNKTYPE, linkname="memory/a.json")])
build("device.tar", ok, [reg("memory/a.json", good),
      special("memory/dev", tarfile.CHRTYPE, devmajor=1, devminor=3)])
build("fifo.tar", ok, [reg("memory/a.json", good), special("memory/fifo", tarfile.FIFOTYPE)])
build("setuid.tar", ok, [reg("memory/a.json", good, 0o4755)])
build("setgid.tar", ok, [reg("memory/a.json", good, 0o2700)])
build("outside.tar", ok, [reg("memory/a.json", good), reg("logs/evil.log", good)])
build("unlisted.tar", ok, [reg("memory/a.json", good), reg("memory/extra.db", good)])
# issue 12: files of the home outside memory/ only when the manifest lists
# them, and never a name ops owns or one that leaves the home
build("reserved-ops.tar", ok + [(".ops/state.db", good)],
      [reg("memory/a.json", good), reg(".ops/state.db", good)])
build("reserved-aside.tar", ok + [("memory.pre-restore.20260101_000000/a", good)],
      [reg("memory/a.json", good), reg("memory.pre-restore.20260101_000000/a", good)])
build("reserved-manifest.tar", ok + [("MANIFEST.json", good)],
      [reg("memory/a.json", good), reg("MANIFEST.json", good)])
build("home-dotdot.tar", ok + [("keys/../../evil-dotdot", good)],
      [reg("memory/a.json", good), reg("keys/../../evil-dotdot", good)])
build("home-dir.tar", ok, [reg("memory/a.json", good), special("keys", tarfile.DIRTYPE)])
build("home-symlink.tar", ok + [("keys/a.key", good)],
      [reg("memory/a.json", good), special("keys/a.key", tarfile.SYMTYPE, linkname="/etc/passwd")])
build("oversize.tar", ok, [reg("memory/a.json", good * 1000)])
build("total-above.tar", ok, [reg("memory/a.json", good)],
      js=json.dumps({"format": 1, "total_size": 10, "files": [{"name": "memory/a.json",
          "size": len(good), "kind": "file"}]}).encode())
build("after-sha.tar", ok, [reg("memory/a.json", good)], after=[reg("memory/late", good)])
build("no-sha.tar", ok, [reg("memory/a.json", good)], sha=b"")
build("no-sha-entry.tar", ok, [reg("memory/a.json", good)], with_sha=False)
build("bad-hash.tar", ok, [reg("memory/a.json", good.replace(b"good", b"evil"))])
build("duplicate.tar", ok, [reg("memory/a.json", good), reg("memory/a.json", good)])
build("missing.tar", ok + [("memory/b.json", good)], [reg("memory/a.json", good)])
build("disagree.tar", ok, [reg("memory/a.json", good)],
      sha=("%s  memory/a.json\n" % hashlib.sha256(b"other").hexdigest()).encode())
# no manifests at all: a plain tar of a memory directory
with tarfile.open(os.path.join(C, "no-manifest.tar"), "w") as tf:
    tf.addfile(*reg("memory/a.json", good)[:1], io.BytesIO(good))
# gzip works the same way
build("symlink.tar.gz", ok, [reg("memory/a.json", good),
      special("memory/link", tarfile.SYMTYPE, linkname="/etc/passwd")], mode="w:gz")
open(os.path.join(C, "garbage.tar.zst"), "wb").write(os.urandom(4096))
PY
# a real archive, truncated
expect_rc 0 ops-backup --home "$H"
real=$(cat "$H/backups/memory/latest")
head -c $(( $(stat -c %s "$real") / 2 )) "$real" > "$C/truncated.tar.zst"
# control: the builder makes archives we accept when nothing is wrong
python3 - "$C/control.tar" <<'PY'
import hashlib, io, json, sys, tarfile
good = b"good data\n" * 100
h = hashlib.sha256(good).hexdigest()
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as tf:
    for n, d in (("MANIFEST.json", json.dumps({"format": 1, "total_size": 2 * len(good), "files": [
                     {"name": "memory/a.json", "size": len(good), "kind": "file"},
                     {"name": "memory/member-1.db", "size": len(good), "kind": "file"}]}).encode()),
                 ("memory/a.json", good), ("memory/member-1.db", good),
                 ("MANIFEST.sha256", ("%s  memory/a.json\n%s  memory/member-1.db\n" % (h, h)).encode())):
        ti = tarfile.TarInfo(n); ti.size = len(d); ti.mode = 0o600
        tf.addfile(ti, io.BytesIO(d))
PY
expect_rc 0 ops-backup --home "$H" verify "$C/control.tar"
expect_rc 0 ops-restore --home "$H" --to "$T/control-out" "$C/control.tar"
for f in a.json member-1.db; do
	cmp -s "$T/control-out/memory/$f" "$T/control-out/memory/a.json" || fail "control: $f not extracted"
done

ino=$(stat -c %i "$H/memory")
identity=$(sha256sum < "$H/memory/identity_core.json")
check() {	# NAME REGEX
	f=$C/$1
	expect_rc 1 ops-backup --home "$H" verify "$f"
	expect_match "$2" "$ERR"
	expect_rc 1 ops-restore --home "$H" --yes "$f"
	expect_match "$2" "$ERR"
	expect_match "archive '.*' refused" "$ERR"
	[ "$(cat "$H/logs/daemon.pid")" = "$AGENT_PID" ] && kill -0 "$AGENT_PID" || fail "$1: agent touched"
	[ "$(stat -c %i "$H/memory")" = "$ino" ] || fail "$1: memory/ replaced"
	[ "$(sha256sum < "$H/memory/identity_core.json")" = "$identity" ] || fail "$1: memory changed"
	ls -d "$H"/memory.pre-restore.* 2>/dev/null && fail "$1: memory set aside"
	[ -e "$H/.memory.restore" ] && fail "$1: staging left"
	[ -e "$H/.ops/restore.journal" ] && fail "$1: journal left"
	for e in "$T/evil-abs" "$H/evil-dotdot" "$T/evil-dotdot" "$H/logs/evil.log" \
	    "$H/keys" "$H/home.pre-restore."*; do
		[ -e "$e" ] && fail "$1: wrote $e"
	done
	ls -a "$H/backups/memory" | grep -q '^\.ops-backup-' && fail "$1: verify left scratch files"
	return 0
}
check abs-path.tar "absolute path"
check dotdot.tar "'\.\.' component"
check dotdot-listed.tar "'\.\.' component"
check symlink.tar "'memory/link' is a symlink"
check symlink.tar.gz "'memory/link' is a symlink"
check hardlink.tar "'memory/hard' is a hard link"
check device.tar "'memory/dev' is a device"
check fifo.tar "'memory/fifo' is a FIFO"
check setuid.tar "setuid, setgid or sticky bit"
check setgid.tar "setuid, setgid or sticky bit"
check outside.tar "'logs/evil.log' is not in the manifest"
check reserved-ops.tar "'\.ops/state\.db': a name ops-backup never archives"
check reserved-aside.tar "'memory\.pre-restore\.20260101_000000/a': a name ops-backup never archives"
check reserved-manifest.tar "'MANIFEST\.json'"
check home-dotdot.tar "'\.\.' component"
check home-dir.tar "'keys': a directory entry"
check home-symlink.tar "'keys/a\.key' is a symlink"
check unlisted.tar "'memory/extra.db' is not in the manifest"
check oversize.tar "'memory/a.json': size 1000000, the manifest says 1000"
check total-above.tar "total_size 10 is not the sum"
check bad-hash.tar "'memory/a.json': sha256 mismatch"
check duplicate.tar "'memory/a.json' appears twice"
check missing.tar "'memory/b.json' is in the manifest but not in the archive"
check disagree.tar "'memory/a.json': sha256 mismatch"
check after-sha.tar "'memory/late' after MANIFEST.sha256"
check no-sha.tar "manifests disagree: 'memory/a.json' is only in MANIFEST.json"
check no-sha-entry.tar "no MANIFEST.sha256 at the end of the archive"
check no-manifest.tar "not an archive made by ops-backup"
check garbage.tar.zst "Unrecognized archive format"
check truncated.tar.zst "truncated|Truncated|malformed archive"
# --dry-run refuses the same way
expect_rc 1 ops-restore --home "$H" --dry-run "$C/symlink.tar"
# a symlink where `latest` points is not followed
ln -sf "$C/control.tar" "$H/backups/memory/20200101_000000.tar"
echo "$H/backups/memory/20200101_000000.tar" > "$H/backups/memory/latest"
expect_rc 1 ops-restore --home "$H" --yes
expect_match "does not exist|symlink" "$ERR"
echo ok
