/* input_list.c: arguments, folders and --files-from into a list of inputs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/input_list.h"
#include "capture/input_sniff.h"
#include "util/escape.h"

static enum status push(struct input_list *l, const char *path, bool found,
                        enum input_skip_why skip,
                        uint64_t bytes)
{
    ENSURE(l->n < INPUT_MAX_ENTRIES, ST_LIMIT);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct input_entry *grown = realloc(l->v, cap * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        l->v = grown;
        l->cap = cap;
    }
    struct input_entry *e = &l->v[l->n];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    ENSURE(e->path != NULL, ST_NOMEM);
    e->found = found;
    e->skip = skip;
    e->bytes = bytes;
    l->n++;
    return ST_OK;
}

/* What a regular file found in a folder holds, from its first bytes. */
static enum input_kind sniff_file(const char *path)
{
    uint8_t head[INPUT_SNIFF_BYTES];
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return INPUT_UNKNOWN;
    while (n < sizeof head) {
        ssize_t r = read(fd, head + n, sizeof head - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    return input_sniff(head, n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The names in a folder, sorted, so the order does not depend on the file system. */
static enum status read_names(const char *dir, char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    ENSURE(d != NULL, ST_IO);
    char **v = NULL;
    size_t n = 0, cap = 0;
    enum status st = ST_OK;
    struct dirent *e;
    while (st == ST_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = cap <= INPUT_MAX_ENTRIES ? realloc(v, cap * sizeof *grown) : NULL;
            if (grown == NULL) {
                st = cap <= INPUT_MAX_ENTRIES ? ST_NOMEM : ST_LIMIT;
                break;
            }
            v = grown;
        }
        v[n] = strdup(e->d_name);
        if (v[n] == NULL)
            st = ST_NOMEM;
        else
            n++;
    }
    closedir(d);
    if (st != ST_OK) {
        free_names(v, n);
        return st;
    }
    if (n > 1)
        qsort(v, n, sizeof v[0], cmp_str);
    *out = v;
    *count = n;
    return ST_OK;
}

static enum status walk(struct input_list *l, const char *dir, int depth);

static enum status walk_one(struct input_list *l, const char *path, const char *name, int depth)
{
    struct stat st, lst;
    if (lstat(path, &lst) != 0)
        return push(l, path, true, SKIP_WHY_NONE, 0); /* gone or forbidden: the read says why */
    bool is_link = S_ISLNK(lst.st_mode);
    if (stat(path, &st) != 0)
        return push(l, path, true, is_link ? SKIP_WHY_BROKEN_LINK : SKIP_WHY_NONE, 0);
    bool is_dir = S_ISDIR(st.st_mode);
    if (name[0] == '.')
        return push(l, path, true, is_dir ? SKIP_WHY_HIDDEN_FOLDER : SKIP_WHY_HIDDEN, 0);
    if (is_dir) {
        /* links to folders are not followed (as find does): two links to "."
         * would make the walk take 2^32 steps */
        if (is_link)
            return push(l, path, true, SKIP_WHY_FOLDER_LINK, 0);
        if (depth >= INPUT_MAX_DEPTH)
            return push(l, path, true, SKIP_WHY_TOO_DEEP, 0);
        return walk(l, path, depth + 1);
    }
    if (!S_ISREG(st.st_mode)) /* a fifo would block, a device never ends */
        return push(l, path, true, SKIP_WHY_NOT_REGULAR, 0);
    enum input_kind k = sniff_file(path);
    if (input_kind_is_capture(k) || input_kind_is_packed(k))
        return push(l, path, true, SKIP_WHY_NONE, (uint64_t)st.st_size);
    return push(l, path, true, k == INPUT_EMPTY ? SKIP_WHY_EMPTY : SKIP_WHY_NOT_CAPTURE, 0);
}

static enum status walk(struct input_list *l, const char *dir, int depth)
{
    char **names;
    size_t n;
    if (read_names(dir, &names, &n) != ST_OK)
        return push(l, dir, true, SKIP_WHY_NONE, 0); /* opening it again reports the error */
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    enum status st = ST_OK;
    for (size_t i = 0; i < n && st == ST_OK; i++) {
        size_t len = dl + 1 + strlen(names[i]) + 1;
        char *p = malloc(len);
        if (p == NULL) {
            st = ST_NOMEM;
            break;
        }
        snprintf(p, len, "%.*s/%s", (int)dl, dir, names[i]);
        st = walk_one(l, p, names[i], depth);
        free(p);
    }
    free_names(names, n);
    return st;
}

enum status input_list_add(struct input_list *l, const char *arg)
{
    struct stat st;
    if (strcmp(arg, "-") == 0)
        return push(l, arg, false, SKIP_WHY_NONE, 0);
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return walk(l, arg, 0);
    /* named by the user: read whatever it is, and say why if it fails */
    return push(l, arg, false, SKIP_WHY_NONE, stat(arg, &st) == 0 && S_ISREG(st.st_mode)
                                         ? (uint64_t)st.st_size : 0);
}

enum status input_list_add_from(struct input_list *l, FILE *f, char *err, size_t errlen)
{
    char line[INPUT_MAX_LINE + 2];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        bool whole = len > 0 && line[len - 1] == '\n';
        if (!whole && !feof(f)) {
            snprintf(err, errlen, "line %lu is longer than %d bytes", lineno, INPUT_MAX_LINE);
            return ST_LIMIT;
        }
        if (whole)
            line[--len] = '\0';
        if (len == 0)
            continue;
        enum status st = input_list_add(l, line);
        if (st != ST_OK) {
            snprintf(err, errlen, "line %lu: %s", lineno, status_name(st));
            return st;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "read failed after line %lu", lineno);
        return ST_IO;
    }
    return ST_OK;
}

enum status input_entry_skip(struct input_entry *e, const char *name, enum input_skip_why why)
{
    ENSURE(e->n_skipped < INPUT_MAX_ENTRIES, ST_LIMIT);
    if (e->n_skipped == e->cap_skipped) {
        size_t cap = e->cap_skipped ? e->cap_skipped * 2 : 8;
        struct input_skip *grown = realloc(e->skipped, cap * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        e->skipped = grown;
        e->cap_skipped = cap;
    }
    char *copy = strdup(name);
    ENSURE(copy != NULL, ST_NOMEM);
    e->skipped[e->n_skipped++] = (struct input_skip){.name = copy, .why = why};
    return ST_OK;
}

size_t input_list_to_read(const struct input_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].skip == SKIP_WHY_NONE;
    return n;
}

uint64_t input_list_bytes(const struct input_list *l)
{
    uint64_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].skip == SKIP_WHY_NONE)
            n += l->v[i].bytes;
    return n;
}

size_t input_list_skipped(const struct input_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += (l->v[i].skip != SKIP_WHY_NONE) + l->v[i].n_skipped;
    return n;
}

static void print_one(FILE *f, const char *name, enum input_skip_why why)
{
    char safe[INPUT_MAX_LINE + 64];
    text_safe_buf(safe, sizeof safe, name, strlen(name));
    fprintf(f, "  %s: %s\n", safe, input_skip_text(why));
}

void input_list_print_skipped(FILE *f, const struct input_list *l)
{
    size_t n = input_list_skipped(l);
    if (n == 0)
        return;
    fprintf(f, "\n%zu input%s skipped:\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < l->n; i++) {
        const struct input_entry *e = &l->v[i];
        if (e->skip != SKIP_WHY_NONE)
            print_one(f, e->path, e->skip);
        for (size_t j = 0; j < e->n_skipped; j++)
            print_one(f, e->skipped[j].name, e->skipped[j].why);
    }
}

size_t input_list_captures(const struct input_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].captures;
    return n;
}

void input_skips_write(FILE *f, const struct input_entry *e)
{
    fprintf(f, "captures %zu\n", e->captures);
    /* the reason by number, the name last: it may hold any byte but \n */
    for (size_t i = 0; i < e->n_skipped; i++)
        fprintf(f, "%d %s\n", (int)e->skipped[i].why,
                strchr(e->skipped[i].name, '\n') ? "?" : e->skipped[i].name);
}

enum status input_skips_read(FILE *f, struct input_entry *e)
{
    char line[INPUT_MAX_LINE + INPUT_MAX_LINE / 2];
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = 0;
        if (sscanf(line, "captures %zu", &n) == 1) {
            e->captures = n;
            continue;
        }
        char *end = NULL;
        unsigned long why = strtoul(line, &end, 10);
        if (end == line || *end != ' ' || why == SKIP_WHY_NONE || why >= SKIP_WHY_COUNT)
            continue;
        char *name = end + 1;
        name[strcspn(name, "\n")] = '\0';
        TRY(input_entry_skip(e, name, (enum input_skip_why)why));
    }
    return ST_OK;
}

void input_list_free(struct input_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (size_t j = 0; j < l->v[i].n_skipped; j++)
            free(l->v[i].skipped[j].name);
        free(l->v[i].skipped);
        free(l->v[i].path);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
