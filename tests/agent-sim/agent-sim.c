/* agent-sim: a stand-in for the agent daemon (SPEC section 3), used by the
 * end-to-end tests and the README demo. It writes the same files the real
 * agent writes (PID file, heartbeat status, daily logs, WAL SQLite memory,
 * strange_loop.jsonl) and can misbehave on demand (hang, crash, bad writer).
 * Build: gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 agent-sim.c -lsqlite3 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;
static char g_pidfile[PATH_MAX];
static int g_have_pidfile;

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("agent-sim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (g_have_pidfile)
        (void)unlink(g_pidfile); /* a clean failure is not a crash: no stale PID */
    exit(1);
}

static void mkpath(char *buf, const char *home, const char *rel)
{
    int n = snprintf(buf, PATH_MAX, "%s/%s", home, rel);
    if (n < 0 || n >= PATH_MAX)
        die("path too long: %s/%s", home, rel);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        die("mkdir %s: %s", path, strerror(errno));
}

static void write_all(int fd, const char *buf, size_t len, const char *path)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write %s: %s", path, strerror(errno));
        }
        buf += w;
        len -= (size_t)w;
    }
}

/* Readers (ops-health, the dashboard) must never see a half-written file,
 * so write a temp file in the same directory, fsync it and rename it over. */
static void write_atomic(const char *path, const char *data)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || n >= (int)sizeof tmp)
        die("path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("open %s: %s", tmp, strerror(errno));
    write_all(fd, data, strlen(data), tmp);
    if (fsync(fd) != 0)
        die("fsync %s: %s", tmp, strerror(errno));
    if (close(fd) != 0)
        die("close %s: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0)
        die("rename %s: %s", tmp, strerror(errno));
}

/* Open, append one buffer, close: the daily file name can change each tick. */
static void append_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        die("open %s: %s", path, strerror(errno));
    write_all(fd, data, strlen(data), path);
    if (close(fd) != 0)
        die("close %s: %s", path, strerror(errno));
}

static struct tm local_now(struct timespec *ts)
{
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, ts) != 0)
        die("clock_gettime: %s", strerror(errno));
    if (localtime_r(&ts->tv_sec, &tm) == NULL)
        die("localtime_r failed");
    return tm;
}

/* ISO 8601 local time with microseconds, like Python's isoformat(). */
static void iso_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm = local_now(&ts);
    char base[32];
    if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        die("strftime failed");
    snprintf(buf, len, "%s.%06ld", base, (long)(ts.tv_nsec / 1000));
}

/* "YYYY-MM-DD HH:MM:SS" for log lines and "YYYYMMDD" for daily file names. */
static void log_stamp(char *stamp, size_t slen, char *day, size_t dlen)
{
    struct timespec ts;
    struct tm tm = local_now(&ts);
    if (strftime(stamp, slen, "%Y-%m-%d %H:%M:%S", &tm) == 0 ||
        strftime(day, dlen, "%Y%m%d", &tm) == 0)
        die("strftime failed");
}

static void daily_path(char *buf, const char *home, const char *kind, const char *day)
{
    char rel[64];
    snprintf(rel, sizeof rel, "logs/%s_%s.log", kind, day);
    mkpath(buf, home, rel);
}

static double mono_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime: %s", strerror(errno));
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_long(const char *s, const char *opt, long min)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min)
        die("invalid value for --%s: '%s'", opt, s);
    return v;
}

static void usage(FILE *f)
{
    fputs("usage: agent-sim [--home DIR] [--interval SECONDS] [--heartbeat-interval N]\n"
          "                 [--rows-per-tick N] [--log-rate N] [--log-file PATH]\n"
          "                 [--no-append] [--stop-heartbeat-after N]\n"
          "                 [--email-errors N] [--email-ok N] [--exit-after N]\n"
          "                 [--crash-after N] [--no-pid-file] [--foreground]\n"
          "                 [--verbose] [--help]\n"
          "Stand-in for the agent daemon: writes HOME/logs/daemon.pid,\n"
          "daemon_status.json, daily logs and HOME/memory/memory.db every tick.\n"
          "HOME defaults to $DHARMIC_HOME, else the current directory.\n", f);
}

static void db_check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        die("sqlite %s: %s", what, sqlite3_errmsg(db));
}

/* One committed transaction per tick. A lock held by another process past
 * busy_timeout is reported and the tick's rows skipped: a real agent would
 * retry rather than die, and the tests look for lost rows, not a dead agent. */
static void db_tick(sqlite3 *db, sqlite3_stmt *ins, long tick, long rows)
{
    char ts[64], text[64], meta[96];
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        fprintf(stderr, "agent-sim: tick %ld: database busy, rows skipped\n", tick);
        return;
    }
    db_check(db, rc, "begin");
    for (long r = 0; r < rows; r++) {
        iso_now(ts, sizeof ts);
        snprintf(text, sizeof text, "tick %ld row %ld", tick, r);
        snprintf(meta, sizeof meta, "{\"tick\":%ld,\"row\":%ld,\"observer\":\"agent-sim\"}",
                 tick, r);
        db_check(db, sqlite3_bind_text(ins, 1, "main", -1, SQLITE_STATIC), "bind");
        db_check(db, sqlite3_bind_text(ins, 2, text, -1, SQLITE_TRANSIENT), "bind");
        db_check(db, sqlite3_bind_text(ins, 3, meta, -1, SQLITE_TRANSIENT), "bind");
        db_check(db, sqlite3_bind_text(ins, 4, ts, -1, SQLITE_TRANSIENT), "bind");
        db_check(db, sqlite3_step(ins), "insert");
        db_check(db, sqlite3_reset(ins), "reset");
    }
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        fprintf(stderr, "agent-sim: tick %ld: commit busy, rows skipped\n", tick);
        db_check(db, sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), "rollback");
        return;
    }
    db_check(db, rc, "commit");
}

static void remove_pidfile(void)
{
    if (g_have_pidfile && unlink(g_pidfile) != 0 && errno != ENOENT)
        die("unlink %s: %s", g_pidfile, strerror(errno));
}

int main(int argc, char **argv)
{
    const char *home = getenv("DHARMIC_HOME");
    const char *log_file = NULL;
    double interval = 1.0;
    long hb_interval = 3600, rows = 1, log_rate = 0, stop_hb = -1;
    long email_err = 0, email_ok = 0, exit_after = -1, crash_after = -1;
    int no_append = 0, no_pid = 0, verbose = 0;
    static const struct option opts[] = {
        {"home", required_argument, NULL, 'H'},
        {"interval", required_argument, NULL, 'i'},
        {"heartbeat-interval", required_argument, NULL, 'b'},
        {"rows-per-tick", required_argument, NULL, 'r'},
        {"log-rate", required_argument, NULL, 'l'},
        {"log-file", required_argument, NULL, 'f'},
        {"no-append", no_argument, NULL, 'A'},
        {"stop-heartbeat-after", required_argument, NULL, 's'},
        {"email-errors", required_argument, NULL, 'e'},
        {"email-ok", required_argument, NULL, 'o'},
        {"exit-after", required_argument, NULL, 'x'},
        {"crash-after", required_argument, NULL, 'c'},
        {"no-pid-file", no_argument, NULL, 'P'},
        {"foreground", no_argument, NULL, 'F'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'H': home = optarg; break;
        case 'i':
            errno = 0;
            interval = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(interval > 0.0) ||
                interval > 86400.0)
                die("invalid value for --interval: '%s'", optarg);
            break;
        case 'b': hb_interval = parse_long(optarg, "heartbeat-interval", 1); break;
        case 'r': rows = parse_long(optarg, "rows-per-tick", 0); break;
        case 'l': log_rate = parse_long(optarg, "log-rate", 0); break;
        case 'f': log_file = optarg; break;
        case 'A': no_append = 1; break;
        case 's': stop_hb = parse_long(optarg, "stop-heartbeat-after", 0); break;
        case 'e': email_err = parse_long(optarg, "email-errors", 0); break;
        case 'o': email_ok = parse_long(optarg, "email-ok", 0); break;
        case 'x': exit_after = parse_long(optarg, "exit-after", 0); break;
        case 'c': crash_after = parse_long(optarg, "crash-after", 0); break;
        case 'P': no_pid = 1; break;
        case 'F': break; /* always foreground: the caller backgrounds us */
        case 'v': verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc)
        die("unexpected argument '%s' (try --help)", argv[optind]);
    if (home == NULL || *home == '\0')
        home = ".";

    umask(077); /* SQLite's db, -wal and -shm files get 0600 too */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: nanosleep returns early */
    if (sigemptyset(&sa.sa_mask) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0)
        die("sigaction: %s", strerror(errno));

    char path[PATH_MAX], stamp[32], day[16], line[512];
    make_dir(home);
    mkpath(path, home, "logs");
    make_dir(path);
    mkpath(path, home, "memory");
    make_dir(path);

    if (!no_pid) {
        mkpath(g_pidfile, home, "logs/daemon.pid");
        snprintf(line, sizeof line, "%ld\n", (long)getpid());
        write_atomic(g_pidfile, line);
        g_have_pidfile = 1;
    }

    log_stamp(stamp, sizeof stamp, day, sizeof day);
    if (email_err > 0 || email_ok > 0) {
        daily_path(path, home, "email", day);
        for (long i = 0; i < email_err; i++) {
            snprintf(line, sizeof line, "%s [ERROR] email: smtp send failed\n", stamp);
            append_file(path, line);
        }
        for (long i = 0; i < email_ok; i++) {
            snprintf(line, sizeof line, "%s [INFO] email: smtp send ok\n", stamp);
            append_file(path, line);
        }
    }

    /* The rate writer keeps one fd for its whole life, like a real logger,
     * so tests can see what log rotation does to a live writer. */
    int rate_fd = -1;
    char rate_path[PATH_MAX];
    if (log_rate > 0) {
        if (log_file != NULL) {
            mkpath(rate_path, home, log_file);
        } else {
            daily_path(rate_path, home, "daemon", day);
        }
        int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (no_append ? 0 : O_APPEND);
        rate_fd = open(rate_path, flags, 0600);
        if (rate_fd < 0)
            die("open %s: %s", rate_path, strerror(errno));
        if (no_append && lseek(rate_fd, 0, SEEK_END) < 0)
            die("lseek %s: %s", rate_path, strerror(errno));
    }

    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    mkpath(path, home, "memory/memory.db");
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    db_check(db, sqlite3_busy_timeout(db, 5000), "busy_timeout");
    db_check(db, sqlite3_exec(db, "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL;"
                              "CREATE TABLE IF NOT EXISTS memories(id INTEGER PRIMARY KEY,"
                              " area TEXT NOT NULL, text TEXT NOT NULL, metadata TEXT,"
                              " created_at TEXT NOT NULL)", NULL, NULL, NULL), "init");
    db_check(db, sqlite3_prepare_v2(db, "INSERT INTO memories(area,text,metadata,created_at)"
                                    " VALUES(?,?,?,?)", -1, &ins, NULL), "prepare");

    const double slice = log_rate > 0 ? 0.01 : 0.1; /* finer slices smooth the rate */
    const double start = mono_now();
    double next_tick = start;
    long tick = 0, seq = 0;
    char last_hb[64] = "";
    static const char padding[] = "padding=abcdefghijklmnopqrstuvwxyz0123456789"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    while (!g_stop) {
        double now = mono_now();
        if (now >= next_tick) {
            tick++;
            log_stamp(stamp, sizeof stamp, day, sizeof day); /* new day at midnight */
            snprintf(line, sizeof line, "%s [INFO] daemon: tick %ld\n", stamp, tick);
            daily_path(path, home, "daemon", day);
            append_file(path, line);
            daily_path(path, home, "runtime", day);
            append_file(path, line);
            db_tick(db, ins, tick, rows);
            char ts[64];
            iso_now(ts, sizeof ts);
            snprintf(line, sizeof line,
                     "{\"id\":%ld,\"ts\":\"%s\",\"observer\":\"agent-sim\",\"text\":\"tick %ld\"}\n",
                     tick, ts, tick);
            mkpath(path, home, "memory/strange_loop.jsonl");
            append_file(path, line);
            if (stop_hb < 0 || tick <= stop_hb) {
                if (last_hb[0] == '\0')
                    memcpy(last_hb, ts, sizeof ts);
                iso_now(ts, sizeof ts);
                snprintf(line, sizeof line,
                         "{\"status\":\"running\",\"timestamp\":\"%s\",\"pid\":\"%ld\","
                         "\"heartbeat_interval\":%ld,\"details\":{\"last_heartbeat\":\"%s\","
                         "\"checks_passed\":4,\"total_checks\":4}}\n",
                         ts, (long)getpid(), hb_interval, last_hb);
                mkpath(path, home, "logs/daemon_status.json");
                write_atomic(path, line);
                memcpy(last_hb, ts, sizeof ts); /* next status reports this one */
            }
            if (verbose) {
                printf("agent-sim: tick %ld\n", tick);
                fflush(stdout);
            }
            if (crash_after >= 0 && tick >= crash_after)
                _exit(1); /* leaves the PID file behind, like a real crash */
            if (exit_after >= 0 && tick >= exit_after)
                break;
            next_tick += interval;
            if (next_tick < now) /* fell far behind (suspend?): don't burst */
                next_tick = now + interval;
        }
        if (rate_fd >= 0) {
            long target = (long)((mono_now() - start) * (double)log_rate);
            if (seq < target)
                log_stamp(stamp, sizeof stamp, day, sizeof day);
            while (seq < target && !g_stop) {
                seq++;
                int n = snprintf(line, sizeof line, "%s [INFO] daemon: seq=%ld %s\n",
                                 stamp, seq, padding);
                /* one write() per line: O_APPEND keeps lines whole */
                write_all(rate_fd, line, (size_t)n, rate_path);
            }
        }
        double nap = next_tick - mono_now();
        if (nap > slice)
            nap = slice;
        if (nap > 0) {
            struct timespec req = {(time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9)};
            if (nanosleep(&req, NULL) != 0 && errno != EINTR)
                die("nanosleep: %s", strerror(errno));
        }
    }

    db_check(db, sqlite3_finalize(ins), "finalize");
    if (sqlite3_close(db) != SQLITE_OK)
        die("close database: %s", sqlite3_errmsg(db));
    if (rate_fd >= 0 && close(rate_fd) != 0)
        die("close %s: %s", rate_path, strerror(errno));
    remove_pidfile();
    if (verbose)
        printf("agent-sim: stopped after %ld ticks, %ld rate lines\n", tick, seq);
    return 0;
}
