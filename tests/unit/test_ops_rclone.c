/* ops_rclone: rclone's argv, remote paths, lsjson parsing, and runs
 * against a stub rclone (a shell script standing in for the program). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_rclone.h"

#include "unit.h"

static const char lsjson[] =
    "[\n"
    "{\"Path\":\"20261203_101010.tar.zst.age\",\"Name\":\"20261203_101010.tar.zst.age\","
    "\"Size\":1234,\"MimeType\":\"application/octet-stream\","
    "\"ModTime\":\"2026-12-03T10:10:11.123456789Z\",\"IsDir\":false,"
    "\"Hashes\":{\"sha256\":\"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"}},\n"
    "{\"Path\":\"sub\",\"Name\":\"sub\",\"Size\":-1,\"ModTime\":\"2026-12-03T10:10:11Z\","
    "\"IsDir\":true},\n"
    "{\"Name\":\"../evil\",\"Size\":1},\n"
    "{\"Name\":\"bad\\u001b[2Jname\",\"Size\":1},\n"
    "{\"Name\":\"-rf\",\"Size\":1},\n"
    "{\"Size\":5},\n"
    "{\"Name\":\"odd\",\"Size\":\"12\",\"ModTime\":\"<script>\",\"Hashes\":{\"sha256\":\"zz\"}}\n"
    "]\n";

int
main(void)
{
	struct ops_rclone rc = { "rclone", "/etc/rclone.conf", "off:dir/x", 10 };
	struct ops_strv argv = OPS_STRV_INIT;
	struct ops_rclone_entry *v = NULL;
	struct ops_err err = OPS_ERR_INIT;
	const char *args[] = { "--", "/a/b", "off:dir/x/n" };
	char buf[64], *dir, stub[4096], log[4096], text[8192];
	size_t n = 0;

	/* argv: program, --config, verb, operands; no config → none */
	EQ_INT(ops_rclone_argv(&rc, "copyto", args, 3, &argv), 0);
	EQ_INT(argv.n, 7);
	EQ_STR(argv.v[0], "rclone");
	EQ_STR(argv.v[1], "--config");
	EQ_STR(argv.v[2], "/etc/rclone.conf");
	EQ_STR(argv.v[3], "copyto");
	EQ_STR(argv.v[4], "--");
	EQ_STR(argv.v[5], "/a/b");
	EQ_STR(argv.v[6], "off:dir/x/n");
	ops_strv_release(&argv);
	rc.config = "";
	EQ_INT(ops_rclone_argv(&rc, "lsjson", NULL, 0, &argv), 0);
	EQ_INT(argv.n, 2);
	EQ_STR(argv.v[1], "lsjson");
	ops_strv_release(&argv);

	/* remote paths */
	EQ_INT(ops_rclone_path("off:", "a.tar", buf, sizeof(buf)), 0);
	EQ_STR(buf, "off:a.tar");
	EQ_INT(ops_rclone_path("off:dir/", "a.tar", buf, sizeof(buf)), 0);
	EQ_STR(buf, "off:dir/a.tar");
	EQ_INT(ops_rclone_path("off:dir", "a.tar", buf, sizeof(buf)), 0);
	EQ_STR(buf, "off:dir/a.tar");
	EQ_INT(ops_rclone_path("off:dir", "../a", buf, sizeof(buf)), -1);
	EQ_INT(ops_rclone_path("off:dir", "..", buf, sizeof(buf)), -1);
	EQ_INT(ops_rclone_path("off:dir", "-a", buf, sizeof(buf)), -1);
	EQ_INT(ops_rclone_path("off:dir", "", buf, sizeof(buf)), -1);
	EQ_INT(ops_rclone_path("off:dir", "a\nb", buf, sizeof(buf)), -1);
	EQ_INT(ops_rclone_path("off:dir", "a", buf, 8), -1);	/* does not fit */
	EQ_INT(ops_rclone_remote_ok("s3:bucket/agent"), 1);
	EQ_INT(ops_rclone_remote_ok("off:"), 1);
	EQ_INT(ops_rclone_remote_ok("nocolon"), 0);
	EQ_INT(ops_rclone_remote_ok(":local"), 0);
	EQ_INT(ops_rclone_remote_ok("-x:y"), 0);
	EQ_INT(ops_rclone_remote_ok("a:b\nc"), 0);

	/* lsjson: usable names only, hashes lowercased, odd values dropped */
	EQ_INT(ops_rclone_lsjson_parse(lsjson, strlen(lsjson), &v, &n, &err), 0);
	EQ_INT(n, 3);
	EQ_STR(v[0].name, "20261203_101010.tar.zst.age");
	CHECK(v[0].size == 1234);
	EQ_STR(v[0].modtime, "2026-12-03T10:10:11.123456789Z");
	EQ_STR(v[0].sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	EQ_INT(v[0].is_dir, 0);
	EQ_STR(v[1].name, "sub");
	EQ_INT(v[1].is_dir, 1);
	CHECK(v[1].size == -1);
	EQ_STR(v[2].name, "odd");
	CHECK(v[2].size == -1);
	EQ_STR(v[2].modtime, "");
	EQ_STR(v[2].sha256, "");
	free(v);
	EQ_INT(ops_rclone_lsjson_parse("[]", 2, &v, &n, &err), 0);
	EQ_INT(n, 0);
	free(v);
	{
		static const char *const bad[] = { "", "{}", "[1]", "[{}, 2]", "[", "null",
			"\"x\"", NULL };

		for (size_t i = 0; bad[i]; i++) {
			err.msg[0] = '\0';
			EQ_INT(ops_rclone_lsjson_parse(bad[i], strlen(bad[i]), &v, &n, &err), -1);
			CHECK(v == NULL && n == 0 && err.msg[0] != '\0');
		}
	}

	/* runs, with a stub rclone that logs its argv and plays a remote */
	dir = unit_tmpdir();
	snprintf(stub, sizeof(stub), "%s/rclone", dir);
	snprintf(log, sizeof(log), "%s/argv", dir);
	snprintf(text, sizeof(text),
	    "#!/bin/sh\n"
	    "printf '%%s\\n' \"$@\" >> '%s'\n"
	    "case \"$1\" in\n"
	    "copyto) [ -e '%s/fail' ] && { echo 'ERROR : 503 \033[31mdown' >&2; exit 7; }; exit 0;;\n"
	    "lsjson) cat '%s/listing'; exit 0;;\n"
	    "deletefile) exit 0;;\n"
	    "esac\nexit 1\n", log, dir, dir);
	unit_write(stub, text);
	chmod(stub, 0700);
	rc.rclone = stub;
	rc.remote = "off:r";
	snprintf(text, sizeof(text), "%s/listing", dir);
	unit_write(text, "[{\"Name\":\"a.tar\",\"Size\":3,\"Hashes\":{\"sha256\":"
	    "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}}]");
	EQ_INT(ops_rclone_put(&rc, "/x/a.tar", "a.tar", 3, "", buf, sizeof(buf), &err), 0);
	EQ_INT(ops_rclone_put(&rc, "/x/a.tar", "a.tar", 3,
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", buf,
	    sizeof(buf), &err), 0);
	/* size and hash mismatches, a missing copy: not verified */
	EQ_INT(ops_rclone_put(&rc, "/x/a.tar", "a.tar", 4, "", buf, sizeof(buf), &err), -1);
	HAS_STR(err.msg, "has 3 bytes, not 4");
	EQ_INT(ops_rclone_put(&rc, "/x/a.tar", "a.tar", 3,
	    "0000000000000000000000000000000000000000000000000000000000000000", buf,
	    sizeof(buf), &err), -1);
	HAS_STR(err.msg, "sha256 differs");
	EQ_INT(ops_rclone_put(&rc, "/x/b.tar", "b.tar", 3, "", buf, sizeof(buf), &err), -1);
	HAS_STR(err.msg, "not found on the remote");
	/* a failing copy: its last line, sanitised */
	snprintf(text, sizeof(text), "%s/fail", dir);
	unit_write(text, "");
	EQ_INT(ops_rclone_put(&rc, "/x/a.tar", "a.tar", 3, "", buf, sizeof(buf), &err), -1);
	HAS_STR(err.msg, "exited with status 7: ERROR : 503 ");
	CHECK(strchr(err.msg, '\033') == NULL);
	CHECK(strchr(buf, '\033') == NULL);
	HAS_STR(buf, "503");
	EQ_INT(ops_rclone_delete(&rc, "a.tar", &err), 0);
	EQ_INT(ops_rclone_delete(&rc, "../a.tar", &err), -1);
	EQ_INT(ops_rclone_list(&rc, &v, &n, &err), 0);
	EQ_INT(n, 1);
	free(v);
	/* what the stub saw: argv, never a shell line */
	{
		FILE *f = fopen(log, "r");
		size_t got = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

		if (f)
			fclose(f);
		text[got] = '\0';
		HAS_STR(text, "copyto\n--\n/x/a.tar\noff:r/a.tar\n");
		HAS_STR(text, "lsjson\n--files-only\n--hash-type\nsha256\n--\noff:r/a.tar\n");
		HAS_STR(text, "deletefile\n--\noff:r/a.tar\n");
		HAS_STR(text, "lsjson\n--files-only\n--\noff:r\n");
	}
	/* a program that is not there */
	rc.rclone = "/nonexistent/rclone";
	EQ_INT(ops_rclone_delete(&rc, "a.tar", &err), -1);
	unit_cleanup(dir);
	return unit_done();
}
