#!/bin/bash
# One acceptance rule for archives: a corpus made by modifying a genuine
# archive (SQLite -wal/-shm/-journal members, kinds relabelled both ways,
# a corrupt database labelled "file", a name 80 directories deep, a
# directory entry the manifest does not explain) gets the same verdict
# from `ops-backup verify`, `ops-restore --list`, `--to` and a restore;
# a refused one changes nothing, a genuine one repacked is accepted by all.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
write_config "$H" '"backup": {"compression": "none"}'
start_agent "$H"
expect_rc 0 ops-backup --home "$H"
genuine=$(cat "$H/backups/memory/latest")
C=$T/corpus
mkdir "$C"
python3 - "$genuine" "$C" <<'PY'
import hashlib, io, json, sys, tarfile
src, C = sys.argv[1:3]
with tarfile.open(src) as tf:
    members = [(ti, tf.extractfile(ti).read() if ti.isfile() else None) for ti in tf.getmembers()]
js = json.loads([d for ti, d in members if ti.name == "MANIFEST.json"][0])
files = {ti.name: d for ti, d in members if ti.isfile() and ti.name.startswith("memory/")}
dbs = [f["name"] for f in js["files"] if f["kind"] == "sqlite"]
assert dbs, "the genuine archive holds no database"

def build(name, files, kinds=None, extra_dirs=()):
    kinds = dict(kinds or {})
    entries = []
    for f in js["files"]:
        if f["name"] in files:
            entries.append(dict(f, size=len(files[f["name"]]), kind=kinds.pop(f["name"], f["kind"])))
    for n, d in files.items():
        if n not in [e["name"] for e in entries]:
            entries.append({"name": n, "size": len(d), "kind": kinds.pop(n, "file")})
    m = dict(js, files=entries, total_size=sum(e["size"] for e in entries))
    sha = "".join("%s  %s\n" % (hashlib.sha256(files[e["name"]]).hexdigest(), e["name"])
                  for e in sorted(entries, key=lambda e: e["name"]))
    with tarfile.open("%s/%s" % (C, name), "w", format=tarfile.PAX_FORMAT) as out:
        def reg(n, d):
            ti = tarfile.TarInfo(n); ti.size = len(d); ti.mode = 0o600; ti.mtime = 1767225600
            out.addfile(ti, io.BytesIO(d))
        def dr(n):
            ti = tarfile.TarInfo(n); ti.type = tarfile.DIRTYPE; ti.mode = 0o700
            out.addfile(ti)
        reg("MANIFEST.json", json.dumps(m).encode())
        dr("memory")
        for n in extra_dirs:
            dr(n)
        for e in entries:
            reg(e["name"], files[e["name"]])
        reg("MANIFEST.sha256", sha.encode())

db = dbs[0]
build("control.tar", files)
# an intact database labelled "file" is still a database: accepted
build("relabel-intact-db.tar", files, {db: "file"})
for sfx in ("-wal", "-shm", "-journal"):
    build("side%s.tar" % sfx, dict(files, **{db + sfx: b"\0" * 4096}))
# a corrupt database labelled "file": checked by content, refused
bad = bytearray(files[db])
for off in range(4096 + 8, len(bad), 4096):
    bad[off:off + 64] = b"\xff" * 64
build("relabel-corrupt-db.tar", dict(files, **{db: bytes(bad)}), {db: "file"})
jsonl = [n for n in files if n.endswith(".jsonl")][0]
build("relabel-not-db.tar", files, {jsonl: "sqlite"})
build("depth-80.tar", dict(files, **{"memory/" + "d/" * 79 + "x": b"deep\n"}))
build("dir-unlisted.tar", files, extra_dirs=["memory/sub"])
PY

ino=$(stat -c %i "$H/memory")
before=$(sha256sum < "$H/memory/identity_core.json")
verdicts() {	# ARCHIVE -> "verify list to restore" exit codes
	a=$1; v=""
	ops-backup --home "$H" verify "$a" >/dev/null 2>"$T/err.verify"; v="$v $?"
	ops-restore --home "$H" --list "$a" >/dev/null 2>"$T/err.list"; v="$v $?"
	rm -rf "$T/to"
	ops-restore --home "$H" --to "$T/to" "$a" >/dev/null 2>"$T/err.to"; v="$v $?"
	ops-restore --home "$H" --yes "$a" >/dev/null 2>"$T/err.restore"; v="$v $?"
	echo "$v"
}
for f in side-wal side-shm side-journal relabel-corrupt-db relabel-not-db depth-80 dir-unlisted; do
	got=$(verdicts "$C/$f.tar")
	[ "$got" = " 1 1 1 1" ] || fail "$f: verdicts (verify list to restore):$got, expected all 1
$(cat "$T"/err.*)"
	for w in verify list to restore; do
		grep -q "refused\|failed\|integrity\|side file\|deeper\|directory entry\|not one" "$T/err.$w" ||
			fail "$f: $w gives no reason: $(cat "$T/err.$w")"
	done
	[ "$(stat -c %i "$H/memory")" = "$ino" ] || fail "$f: memory/ replaced"
	[ "$(sha256sum < "$H/memory/identity_core.json")" = "$before" ] || fail "$f: memory/ changed"
	[ ! -e "$T/to/memory" ] || fail "$f: --to extracted it"
	ls -d "$H"/.memory.restore* "$H"/memory.pre-restore.* 2>/dev/null && fail "$f: left staging or an aside copy"
	[ ! -e "$H/.ops/restore.journal" ] || fail "$f: journal left"
done
grep -q "side file" "$T/err.list" || true
for f in relabel-intact-db control; do
	got=$(verdicts "$C/$f.tar")
	[ "$got" = " 0 0 0 0" ] || fail "$f: verdicts (verify list to restore):$got, expected all 0
$(cat "$T"/err.*)"
done
echo ok
