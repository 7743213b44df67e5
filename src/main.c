/* main.c: options, then the run. See man/tlsexplain.1 for the contract. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "merge.h"
#include "run.h"

#define TLSX_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs("usage: tlsexplain [OPTIONS] FILE|DIR|- ...\n"
          "Explains why TLS handshakes in packet captures failed.\n"
          "  -a, --all             every TLS connection, not only failed ones\n"
          "  -v, --verbose         the ladder of messages per connection\n"
          "      --json            JSON Lines\n"
          "  -s, --summary         the batch summary table only\n"
          "  -f, --filter EXPR     BPF filter\n"
          "  -j, --jobs N          files analysed in parallel\n"
          "  -p, --port N          treat TCP port N as a TLS port (repeatable)\n"
          "      --ca-file FILE    trust store (PEM) for certificate checks\n"
          "      --ca-path DIR     trust store folder (hashed, c_rehash)\n"
          "      --keylog FILE     NSS key log (SSLKEYLOGFILE): decrypt TLS 1.0-1.3 handshakes\n"
          "                        (repeatable; secrets embedded in pcapng are used without it)\n"
          "      --key FILE        server RSA private key (PEM, repeatable): decrypt TLS 1.0-1.2\n"
          "                        RSA key exchanges with the server's certificate key\n"
          "      --html FILE       also write an HTML report\n"
          "      --color WHEN      auto, always or never\n"
          "      --max-connections N   connections tracked per file\n"
          "      --files-from FILE read the inputs named in FILE, one a line (- for stdin)\n"
          "      --context WHEN    file (default): each capture judged alone; batch: one\n"
          "                        context of every input (a server's handshakes in one\n"
          "                        capture explain its failures in another)\n"
          "      --merge JSONL...  the summary of earlier --json runs, as one run over them;\n"
          "                        with --context batch, their connections judged again\n"
          "      --facts           with --json: each connection's facts and each capture's\n"
          "                        context too, for --merge --context batch\n"
          "  -q, --quiet           no progress line on the terminal\n"
          "  -h, --help            this text; the manual: man tlsexplain\n"
          "      --version\n"
          "Exit status: 0 no failed handshake, 1 a failed handshake, 2 bad usage or unreadable input.\n",
          f);
}

static bool parse_number(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_CA_FILE, OPT_CA_PATH, OPT_HTML, OPT_COLOR, OPT_VERSION,
           OPT_MAX_CONNS, OPT_KEYLOG, OPT_KEY, OPT_FILES_FROM, OPT_CONTEXT, OPT_MERGE,
           OPT_FACTS };
    static const struct option longopts[] = {
        {.name = "all", .has_arg = no_argument, .val = 'a'},
        {.name = "verbose", .has_arg = no_argument, .val = 'v'},
        {.name = "json", .has_arg = no_argument, .val = OPT_JSON},
        {.name = "summary", .has_arg = no_argument, .val = 's'},
        {.name = "filter", .has_arg = required_argument, .val = 'f'},
        {.name = "jobs", .has_arg = required_argument, .val = 'j'},
        {.name = "port", .has_arg = required_argument, .val = 'p'},
        {.name = "ca-file", .has_arg = required_argument, .val = OPT_CA_FILE},
        {.name = "ca-path", .has_arg = required_argument, .val = OPT_CA_PATH},
        {.name = "keylog", .has_arg = required_argument, .val = OPT_KEYLOG},
        {.name = "key", .has_arg = required_argument, .val = OPT_KEY},
        {.name = "html", .has_arg = required_argument, .val = OPT_HTML},
        {.name = "color", .has_arg = required_argument, .val = OPT_COLOR},
        {.name = "colour", .has_arg = required_argument, .val = OPT_COLOR},
        {.name = "max-connections", .has_arg = required_argument, .val = OPT_MAX_CONNS},
        {.name = "files-from", .has_arg = required_argument, .val = OPT_FILES_FROM},
        {.name = "context", .has_arg = required_argument, .val = OPT_CONTEXT},
        {.name = "merge", .has_arg = no_argument, .val = OPT_MERGE},
        {.name = "facts", .has_arg = no_argument, .val = OPT_FACTS},
        {.name = "quiet", .has_arg = no_argument, .val = 'q'},
        {.name = "help", .has_arg = no_argument, .val = 'h'},
        {.name = "version", .has_arg = no_argument, .val = OPT_VERSION},
        {.name = NULL}};
    /* reports to a file or a pipe go out in large writes (glibc ignores
     * the size unless it is given the buffer) */
    static char out_buffer[(size_t)1 << 20];
    if (!isatty(STDOUT_FILENO))
        (void)setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    struct run_opts o = {.mode = OUT_TEXT, .jobs = 1, .width = 100};
    const char *color = "auto";
    bool merge = false;
    long v;
    int ch;

    while ((ch = getopt_long(argc, argv, "avsf:j:p:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'a': o.all = true; break;
        case 'v': o.verbose = true; break;
        case 's': o.mode = OUT_SUMMARY; break;
        case OPT_JSON: o.mode = OUT_JSON; break;
        case 'f': o.filter = optarg; break;
        case 'j':
            if (!parse_number(optarg, 1, 256, &v)) {
                fprintf(stderr, "tlsexplain: --jobs takes a number from 1 to 256\n");
                return 2;
            }
            o.jobs = (int)v;
            break;
        case 'p':
            if (!parse_number(optarg, 1, 65535, &v) || o.n_tls_ports >= RUN_MAX_PORTS) {
                fprintf(stderr, "tlsexplain: --port takes a port from 1 to 65535 (at most %d)\n",
                        RUN_MAX_PORTS);
                return 2;
            }
            o.tls_ports[o.n_tls_ports++] = (uint16_t)v;
            break;
        case OPT_CA_FILE: o.ca_file = optarg; break;
        case OPT_CA_PATH: o.ca_path = optarg; break;
        case OPT_KEYLOG:
            if (o.n_keylogs >= RUN_MAX_KEYLOGS) {
                fprintf(stderr, "tlsexplain: at most %d --keylog files\n", RUN_MAX_KEYLOGS);
                return 2;
            }
            o.keylog_files[o.n_keylogs++] = optarg;
            break;
        case OPT_KEY:
            if (o.n_keys >= RUN_MAX_KEYLOGS) {
                fprintf(stderr, "tlsexplain: at most %d --key files\n", RUN_MAX_KEYLOGS);
                return 2;
            }
            o.key_files[o.n_keys++] = optarg;
            break;
        case OPT_HTML: o.html = optarg; break;
        case OPT_COLOR: color = optarg; break;
        case OPT_MAX_CONNS:
            if (!parse_number(optarg, 1, 100000000, &v)) {
                fprintf(stderr, "tlsexplain: --max-connections takes a positive number\n");
                return 2;
            }
            o.max_conns = (size_t)v;
            break;
        case OPT_FILES_FROM: o.files_from = optarg; break;
        case OPT_CONTEXT:
            if (strcmp(optarg, "file") != 0 && strcmp(optarg, "batch") != 0) {
                fprintf(stderr, "tlsexplain: --context takes file or batch\n");
                return 2;
            }
            o.context_batch = strcmp(optarg, "batch") == 0;
            break;
        case OPT_MERGE: merge = true; break;
        case OPT_FACTS: o.facts = true; break;
        case 'q': o.quiet = true; break;
        case 'h': usage(stdout); return 0;
        case OPT_VERSION: puts("tlsexplain " TLSX_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (strcmp(color, "always") == 0)
        o.color = true;
    else if (strcmp(color, "never") == 0)
        o.color = false;
    else if (strcmp(color, "auto") == 0) {
        const char *no_color = getenv("NO_COLOR");
        o.color = isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
    } else {
        fprintf(stderr, "tlsexplain: --color takes auto, always or never\n");
        return 2;
    }
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
        o.width = ws.ws_col;
    if (optind >= argc && o.files_from == NULL) {
        usage(stderr);
        return 2;
    }
    /* standard input can be the list or a capture, not both */
    for (int i = optind; o.files_from != NULL && strcmp(o.files_from, "-") == 0 && i < argc; i++)
        if (strcmp(argv[i], "-") == 0) {
            fprintf(stderr, "tlsexplain: --files-from - reads standard input: it cannot also "
                            "be a capture\n");
            return 2;
        }
    /* the facts are for merging per-capture runs: each capture's own context */
    if (o.facts && (o.mode != OUT_JSON || o.context_batch || merge)) {
        fprintf(stderr, "tlsexplain: --facts goes with --json, in a run without --context "
                        "batch (--merge --context batch then judges the runs together)\n");
        return 2;
    }
    if (merge)
        return merge_runs(argv + optind, (size_t)(argc - optind), &o);
    return run_inputs(argv + optind, (size_t)(argc - optind), &o);
}
