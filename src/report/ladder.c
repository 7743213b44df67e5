/* ladder.c: -v, the ladder model (ladder_model.c) drawn as text: frame,
 * milliseconds since the connection's first frame, then the rung. Client
 * lines point right, server lines point left; 100 columns are enough. */
#include <stdlib.h>
#include <string.h>
#include "report/ladder_model.h"
#include "report/report.h"

void report_ladder(FILE *f, const struct conn *c, const struct report_opts *o)
{
    struct ladder *l = malloc(sizeof *l);
    if (l == NULL) {
        fputs("    (ladder lost: out of memory)\n", f);
        return;
    }
    ladder_build(c, l);
    /* 4 indent + 8 frame + 10 ms + 2 = 24 columns before the rung */
    int span = (o->width > 100 ? 100 : o->width) - 24;
    if (span < 50)
        span = 50;
    fprintf(f, "    %8s %10s  %-*s%s\n", "frame", "ms", span - 6, "client", "server");
    for (size_t i = 0; i < l->n; i++) {
        const struct rung *r = &l->rungs[i];
        int dashes = span - (int)strlen(r->label) - 2;
        if (dashes < 3)
            dashes = 3;
        fprintf(f, "    %8llu ", (unsigned long long)r->frame);
        if (r->flags & RUNG_NO_TIME) {
            fprintf(f, "%10s  ", "");
        } else {
            double ms = tstamp_ms_between(c->start, r->ts);
            fprintf(f, "%10.3f  ", ms < 0 ? 0.0 : ms);
        }
        if (r->from == SIDE_CLIENT) {
            fprintf(f, "%s ", r->label);
            for (int k = 0; k < dashes; k++)
                fputc('-', f);
            fputs(">\n", f);
        } else {
            fputc('<', f);
            for (int k = 0; k < dashes; k++)
                fputc('-', f);
            fprintf(f, " %s\n", r->label);
        }
    }
    if (l->cut)
        fputs("    (the ladder is cut: the connection has more messages than are kept)\n", f);
    free(l);
}
