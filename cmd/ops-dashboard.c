/* ops-dashboard: the agent's state at a glance (ops-dashboard(1)). */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
#include "cli.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(1),
	OPS_CLI_CONFIG(1),
	{ "interval", 'n', 1, "SECONDS", "watch: redraw every SECONDS, 0.1 to 86400 "
	  "(default: 1)" },
	{ "output", 'o', 1, "FILE", "html, web, prom: write FILE atomically instead "
	  "of stdout" },
	{ "mode", 'm', 0, "MODE", "html, web, prom -o: the file's permissions, octal, "
	  "not writable by others (default: dashboard.prom_mode, dashboard.html_mode)" },
	{ "listen", 'l', 0, "ADDR:PORT", "serve: where to listen (default: "
	  "serve.listen)" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-dashboard",
	.synopsis = "[--home DIR] [--config FILE] [show | status | json]\n"
	    "[--home DIR] [--config FILE] watch [-n SECONDS]\n"
	    "[--home DIR] [--config FILE] html | web | prom [-o FILE]\n"
	    " [--mode MODE]\n"
	    "[--home DIR] [--config FILE] serve [--listen ADDR:PORT]",
	.about = "The agent's state at a glance, read without running anything slow:\n"
	    "show (the default: the terminal page with 24 h of history), status\n"
	    "(one line per area), watch (show, redrawn; q quits), html, web (the\n"
	    "HTML page), json, prom (Prometheus text format), serve (a read-only\n"
	    "HTTP interface). Colour only on a terminal, never with NO_COLOR or\n"
	    "TERM=dumb.",
	.extra = OPS_CLI_EXIT_CODES,
	.page = "ops-dashboard(1)",
	.opts = opts,
};

static volatile sig_atomic_t got_quit, got_winch;

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_quit = 1;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One frame: home, each line cleared to its end, the rest of the screen
 * cleared; written only when it differs from the last one. */
static int
draw(const struct ops_config *cfg, struct ops_dashboard *d, struct ops_buf *last)
{
	struct ops_buf page = OPS_BUF_INIT, frame = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_dash_style st;
	const char *p, *nl;
	int rc = 0;

	ops_dash_style_for(&st, STDOUT_FILENO);
	if (ops_dashboard_gather(cfg, d, &err) < 0)
		ops_buf_printf(&page, "ops-dashboard: %s\n", err.msg);
	else
		ops_dashboard_text(&page, d, &st);
	ops_buf_puts(&frame, "\033[H");
	for (p = ops_buf_str(&page); *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		ops_buf_add(&frame, p, (size_t)(nl - p));
		ops_buf_puts(&frame, "\033[K");
		if (nl[1] != '\0')
			ops_buf_puts(&frame, "\r\n");
	}
	ops_buf_puts(&frame, "\033[J");
	if (frame.oom || last->len != frame.len || memcmp(last->s, frame.s, frame.len)) {
		rc = write_all(ops_buf_str(&frame), frame.len);
		ops_buf_reset(last);
		ops_buf_add(last, ops_buf_str(&frame), frame.len);
	}
	ops_buf_release(&page);
	ops_buf_release(&frame);
	return rc;
}

/* Raw input (no echo, no line buffering, keys as bytes: q, Ctrl-C and
 * Ctrl-Z are ours to act on), the alternate screen, the cursor hidden. */
/* The alternate screen, cursor hidden, cleared; and back. */
static const char enter[] = "\033[?1049h\033[?25l\033[H\033[2J";
static const char leave[] = "\033[?25h\033[?1049l";

static void
screen_enter(int tty, const struct termios *saved)
{
	struct termios raw;

	if (tty) {
		raw = *saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	write_all(enter, sizeof(enter) - 1);	/* the bytes, not the NUL */
}

static void
screen_leave(int tty, const struct termios *saved)
{
	write_all(leave, sizeof(leave) - 1);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, saved);
}

static int
watch(const struct ops_config *cfg, double interval)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	struct ops_dashboard d;
	struct ops_buf last = OPS_BUF_INIT;
	struct termios saved;
	struct sigaction sa;
	sigset_t block, orig;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	double next;
	char ch;

	if (!isatty(STDOUT_FILENO)) {
		fputs("ops-dashboard: watch needs a terminal (try show, json or prom)\n", stderr);
		return 2;
	}
	memset(&d, 0, sizeof(d));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake ppoll up */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	/* Signals are taken only inside ppoll: none is lost between checks. */
	sigprocmask(SIG_BLOCK, &block, &orig);
	screen_enter(tty, &saved);
	for (next = mono(); !got_quit;) {
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		struct timespec ts;
		double left = next - mono();

		if (left <= 0 || got_winch) {
			if (got_winch)
				ops_buf_reset(&last);
			got_winch = 0;
			if (draw(cfg, &d, &last) < 0)
				break;
			if (left <= 0 && (next += interval) < mono())
				next = mono() + interval;
			continue;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (ppoll(&pfd, tty ? 1 : 0, &ts, &orig) <= 0)
			continue;
		if ((pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) ||
		    read(STDIN_FILENO, &ch, 1) != 1 || (ch != 0 && strchr("qQ\003", ch)))
			break;
		if (ch == 032) {	/* Ctrl-Z: give the terminal back, stop */
			screen_leave(tty, &saved);
			kill(getpid(), SIGTSTP);
			screen_enter(tty, &saved);
			ops_buf_reset(&last);
			got_winch = 1;
		}
	}
	screen_leave(tty, &saved);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	ops_dashboard_release(&d);
	ops_buf_release(&last);
	return 0;
}

/* serve: answer HTTP until SIGINT, SIGTERM or SIGHUP. */
static int
serve(const struct ops_config *cfg, const char *listen)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_httpd *h = NULL;
	sigset_t set;
	int sig;

	/* Blocked before the server's thread starts, so it inherits the mask
	 * and only sigwait takes them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* One malloc arena for the request and gatherer threads: a second
	 * arena keeps its own free pages, about half a megabyte of resident
	 * memory for a server that allocates little and never contends. */
	mallopt(M_ARENA_MAX, 1);
	if (ops_httpd_start(cfg, listen, &h, &err) < 0) {
		fprintf(stderr, "ops-dashboard: %s\n", err.msg);
		return ops_err_exit_code(&err);
	}
	fprintf(stderr, "ops-dashboard: serving %s\n", ops_httpd_url(h));
	while (sigwait(&set, &sig) != 0)
		;
	ops_httpd_stop(h);
	return 0;
}

/* file:// URL of an absolute path, percent-encoding what is not safe. */
static void
file_url(struct ops_buf *b, const char *path)
{
	ops_buf_puts(b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
			ops_buf_add(b, (const char *)p, 1);
		else
			ops_buf_printf(b, "%%%02X", *p);
	}
}

static int
in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	char full[PATH_MAX];

	for (p = path ? path : ""; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		if (snprintf(full, sizeof(full), "%.*s/%s", (int)(e - p), p, prog) <
		    (int)sizeof(full) && access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* web: print the page's URL; open it when someone is there to see it. */
static void
web(const char *file)
{
	struct ops_buf url = OPS_BUF_INIT;
	struct ops_run_result rr;
	struct ops_err err = OPS_ERR_INIT;
	char abs[PATH_MAX];
	const char *opener = in_path("xdg-open") ? "xdg-open" : in_path("open") ? "open" : NULL;

	file_url(&url, realpath(file, abs) ? abs : file);
	puts(ops_buf_str(&url));
	fflush(stdout);
	if (opener && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	    (strcmp(opener, "open") == 0 || getenv("DISPLAY") || getenv("WAYLAND_DISPLAY"))) {
		char *argv[] = { (char *)opener, (char *)ops_buf_str(&url), NULL };

		if (ops_run_ex(argv, NULL, NULL, 10, 4096, OPS_RUN_LEAVE_GROUP, &rr,
		    &err) == 0)
			ops_run_result_release(&rr);
	}
	ops_buf_release(&url);
}

int
main(int argc, char **argv)
{
	static const char *const verbs[] = {
		"show", "status", "watch", "html", "web", "json", "prom", "serve", NULL,
	};
	struct ops_config cfg;
	struct ops_dashboard d;
	struct ops_dash_style st;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf out = OPS_BUF_INIT;
	const char *home = NULL, *config = NULL, *output = NULL, *verb = "show";
	const char *listen = NULL, *mode_opt = NULL;
	long mode = -1;
	char path[PATH_MAX], *end;
	double interval = 1;
	int ch, code = 2, known = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&d, 0, sizeof(d));
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'o': output = optarg; break;
		case 'l': listen = optarg; break;
		case 'm':
			mode_opt = optarg;
			mode = strtol(optarg, &end, 8);
			if (*optarg < '0' || *optarg > '7' || *end != '\0' || mode > 0777 ||
			    (mode & 0002)) {
				cli_error(&cli, 2, "invalid mode '%s' (octal, not writable by "
				    "others)", optarg);
				goto out;
			}
			break;
		case 'n':
			interval = strtod(optarg, &end);
			if (*end != '\0' || !(interval >= 0.1 && interval <= 86400)) {
				cli_error(&cli, 2, "invalid interval '%s' (seconds, 0.1 to "
				    "86400)", optarg);
				goto out;
			}
			break;
		case 'h': code = cli_help(&cli); goto out;
		case 'V': puts("ops-dashboard " OPS_VERSION); code = 0; goto out;
		default: cli_error(&cli, 2, "%s", err.msg); goto out;
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	for (size_t i = 0; verbs[i]; i++)
		known |= strcmp(verb, verbs[i]) == 0;
	if (!known || optind < argc) {
		cli_error(&cli, 2, "%s '%s'", known ? "unexpected argument" :
		    "unknown verb", known ? argv[optind] : verb);
		goto out;
	}
	if (output && strcmp(verb, "html") && strcmp(verb, "web") && strcmp(verb, "prom")) {
		cli_error(&cli, 2, "-o goes with html, web and prom, not %s", verb);
		goto out;
	}
	if ((listen && strcmp(verb, "serve")) || (mode_opt && strcmp(verb, "prom") &&
	    strcmp(verb, "html") && strcmp(verb, "web"))) {
		cli_error(&cli, 2, "%s", listen ? "--listen goes with serve" :
		    "--mode goes with prom, html and web");
		goto out;
	}
	/* The terminal's character set, for the text views. Not for serve,
	 * which writes UTF-8 HTML and JSON whatever the locale: the locale's
	 * tables would only add to its resident memory. */
	if (strcmp(verb, "serve") != 0)
		setlocale(LC_CTYPE, "");
	if (ops_config_load(&cfg, home, config, &err) < 0)
		goto fail;
	if (strcmp(verb, "serve") == 0) {
		code = serve(&cfg, listen);
		goto out;
	}
	if (strcmp(verb, "watch") == 0) {
		code = watch(&cfg, interval);
		goto out;
	}
	if (ops_dashboard_gather(&cfg, &d, &err) < 0)
		goto fail;
	ops_dash_style_for(&st, STDOUT_FILENO);
	if (strcmp(verb, "show") == 0)
		ops_dashboard_text(&out, &d, &st);
	else if (strcmp(verb, "status") == 0)
		ops_dashboard_status_text(&out, &d, &st);
	else if (strcmp(verb, "json") == 0)
		ops_dashboard_json(&out, &d);
	else if (strcmp(verb, "prom") == 0)
		ops_dashboard_prom(&out, &d);
	else
		ops_dashboard_html(&out, &d);
	if (out.oom) {
		ops_err_sys(&err, ENOMEM, "unable to render the dashboard");
		goto fail;
	}
	if (strcmp(verb, "html") == 0 || strcmp(verb, "web") == 0) {
		if (output == NULL && ops_config_path(&cfg, "logs/dashboard.html", path,
		    sizeof(path), &err) < 0)
			goto fail;
		output = output ? output : path;
	}
	if (mode < 0)
		mode = strcmp(verb, "prom") == 0 ? cfg.dashboard.prom_mode :
		    cfg.dashboard.html_mode;
	if (output != NULL && ops_fs_write_atomic_mode(output, out.s, out.len,
	    (mode_t)mode, &err) < 0)
		goto fail;
	if (strcmp(verb, "web") == 0)
		web(output);
	else if (output == NULL)
		fputs(ops_buf_str(&out), stdout);
	code = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	if (code)
		fprintf(stderr, "ops-dashboard: unable to write the output: %s\n",
		    strerror(errno));
	goto out;
fail:
	fprintf(stderr, "ops-dashboard: %s\n", err.msg);
	code = ops_err_exit_code(&err);
out:
	ops_buf_release(&out);
	ops_dashboard_release(&d);
	ops_config_release(&cfg);
	return code;
}
