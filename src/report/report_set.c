/* report_set.c: the reporters of a run fed together (report_set.h). */
#include <string.h>
#include "rules/diagnosis.h"
#include "rules/verdict.h"
#include "report/report_set.h"

enum status report_set_open(struct report_set *s, const struct report_pick *pick, size_t n,
                            const struct report_opts *o)
{
    s->n = 0;
    ENSURE(n <= REPORT_SET_MAX, ST_LIMIT);
    for (size_t i = 0; i < n; i++) {
        void *self = pick[i].ops->open(o, pick[i].dest);
        ENSURE(self != NULL, ST_NOMEM);
        s->ops[s->n] = pick[i].ops;
        s->self[s->n++] = self;
    }
    return ST_OK;
}

void report_set_close(struct report_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->close(s->self[i]);
    s->n = 0;
}

bool report_set_keeps_connections(const struct report_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ops[i]->keeps_connections)
            return true;
    return false;
}

static void add_cause(struct file_facts *f, const struct finding *x)
{
    for (size_t i = 0; i < f->n_causes; i++)
        if (strcmp(f->causes[i].id, x->id) == 0) {
            f->causes[i].count++;
            return;
        }
    if (f->n_causes < FILE_FACTS_CAUSES)
        f->causes[f->n_causes++] = (struct cause_count){
            .id = x->id, .title = x->title ? x->title : "", .count = 1};
}

static void add_conn(struct file_facts *f, const struct conn *c)
{
    struct file_counts *k = &f->k;
    k->connections++;
    switch ((enum verdict)c->verdict) {
    case VERDICT_OK: k->ok++; break;
    case VERDICT_FAILED: k->failed++; break;
    case VERDICT_INCOMPLETE: k->incomplete++; break;
    case VERDICT_NOT_TLS: k->not_tls++; break;
    case VERDICT_TCP_ONLY: break;
    }
    const struct diagnosis *d = c->diagnosis;
    if (report_cause(c) != NULL)
        add_cause(f, &d->main);
    if (c->verdict == VERDICT_INCOMPLETE &&
        (c->side[0].cut_segments > 0 || c->side[1].cut_segments > 0)) {
        if (f->n_cut < FILE_FACTS_CUT_IDS)
            f->cut_ids[f->n_cut] = c->id;
        f->n_cut++;
    }
}

void report_file_facts(const struct analysis *a, bool read_ok, struct file_facts *f)
{
    *f = (struct file_facts){
        .path = a->path ? a->path : "-",
        .read_ok = read_ok,
        .unreadable = a->unreadable,
        .damaged = a->damaged,
        .error = a->error,
        .frames = a->frames,
        .cut_frames = a->cut_frames,
        .snaplen = a->snaplen,
        .dropped_conns = a->flows.dropped_conns,
        .max_conns = a->flows.max_conns,
        /* connections let go early all succeeded */
        .k = {.connections = (size_t)a->flows.let_go, .ok = (size_t)a->flows.let_go},
    };
    if (!read_ok)
        return;
    for (size_t i = 0; i < analysis_slots(a); i++) {
        const struct conn *c = analysis_conn(a, i);
        if (c != NULL)
            add_conn(f, c);
    }
    f->k.tls = f->k.ok + f->k.failed + f->k.incomplete;
}

enum status report_set_early(struct report_set *s, struct spill **spill, const char *file,
                             const struct conn *c)
{
    if (*spill == NULL)
        TRY(spill_open(spill));
    FILE *out = spill_begin(*spill, c->id);
    ENSURE(out != NULL, ST_IO);
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->connection(s->self[i], out, file, c);
    return spill_end(*spill, c->id);
}

void report_set_file(struct report_set *s, FILE *out, const struct analysis *a,
                     const struct file_facts *f, struct spill *spill)
{
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->begin_file(s->self[i], out, f);
    for (size_t slot = 0; slot < analysis_slots(a); slot++) {
        const struct conn *c = analysis_conn(a, slot);
        if (c == NULL) {
            /* let go early: its output was written when it ended */
            (void)spill_copy(spill, (uint32_t)slot + 1, out);
            continue;
        }
        for (size_t i = 0; i < s->n; i++)
            s->ops[i]->connection(s->self[i], out, f->path, c);
    }
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->end_file(s->self[i], out, f);
}

void report_set_unreadable(struct report_set *s, FILE *out, const struct file_facts *f)
{
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->end_file(s->self[i], out, f);
}

int report_set_finish(struct report_set *s, FILE *out)
{
    int rc = 0;
    for (size_t i = 0; i < s->n; i++) {
        int r = s->ops[i]->finish(s->self[i], out);
        if (r > rc)
            rc = r;
    }
    return rc;
}

void report_set_handoff(struct report_set *s, FILE *rows)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ops[i]->handoff != NULL)
            s->ops[i]->handoff(s->self[i], rows);
}

void report_set_take(struct report_set *s, FILE *rows)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ops[i]->take != NULL) {
            rewind(rows);
            s->ops[i]->take(s->self[i], rows);
        }
}

/* ---- for callers that hold a whole analysis (the fuzz drivers) --------- */

void report_text_file(FILE *f, const struct analysis *a, const struct report_opts *o)
{
    const struct report_pick text_only = {.ops = &reporter_text, .dest = NULL};
    struct report_set s;
    struct file_facts ff;
    if (report_set_open(&s, &text_only, 1, o) == ST_OK) {
        report_file_facts(a, true, &ff);
        report_set_file(&s, f, a, &ff, NULL);
    }
    report_set_close(&s);
}

void report_json_summary(FILE *f, const struct analysis *a)
{
    struct file_facts ff;
    report_file_facts(a, true, &ff);
    report_json_summary_line(f, &ff);
}
