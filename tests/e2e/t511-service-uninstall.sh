#!/bin/bash
# `make uninstall` removes exactly what the install wrote (CMake's install
# manifest): programs, pages, completions, the crontab template, the
# LICENSE; a file of the user's in the same directories stays.
. "$(dirname "$0")/lib.sh"
command -v flock >/dev/null || skip "flock is not installed"
P=$T/prefix
# the build's install manifest is shared: one install at a time
exec 9>"$OPS_BUILD/.install.lock"
flock 9
cmake --install "$OPS_BUILD" --prefix "$P" >/dev/null || fail "install failed"
for f in bin/dharmic-ops bin/ops-health share/man/man1/ops-health.1 \
    share/man/man5/dharmic-ops.json.5 share/bash-completion/completions/ops-alert \
    share/dharmic-ops/dharmic-ops.crontab share/doc/dharmic-ops/LICENSE; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
grep -q '^ISC License' "$P/share/doc/dharmic-ops/LICENSE" || fail "LICENSE is not ISC"
n=$(grep -c "" "$OPS_BUILD/install_manifest.txt")	# (no final newline)
: > "$P/bin/users-own-tool"
out=$(cmake --build "$OPS_BUILD" --target uninstall 2>&1) || fail "uninstall failed: $out"
flock -u 9
expect_match "Uninstalled $n files" "$out"
left=$(cd "$P" && find . -type f | sort)
[ "$left" = "./bin/users-own-tool" ] || fail "left behind: $left"
[ ! -e "$P/share/dharmic-ops" ] && [ ! -e "$P/share/doc/dharmic-ops" ] ||
	fail "the package's own directories are left"
# again: nothing to remove, still fine
out=$(cmake --build "$OPS_BUILD" --target uninstall 2>&1) || fail "second uninstall failed: $out"
expect_match 'Uninstalled 0 files' "$out"
echo ok
