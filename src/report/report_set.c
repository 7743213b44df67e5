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

bool report_set_counts_only(const struct report_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->ops[i]->counts_only)
            return false;
    return s->n > 0;
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

void report_count_keys(struct keylog_cover *k, const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (cl->decrypt == DECRYPT_NONE && sv->decrypt == DECRYPT_NONE)
        return;
    k->tls++;
    if (cl->decrypted_records > 0 || sv->decrypted_records > 0) {
        k->covered++;
        if (cl->finished_check == FINISHED_VERIFIED || sv->finished_check == FINISHED_VERIFIED)
            k->verified++;
    } else if (cl->decrypt == DECRYPT_FAILED || sv->decrypt == DECRYPT_FAILED) {
        k->wrong++;
    } else if (cl->decrypt == DECRYPT_UNSUPPORTED || sv->decrypt == DECRYPT_UNSUPPORTED) {
        k->unsupported++;
    } else if (cl->decrypt == DECRYPT_FORWARD_SECRET || sv->decrypt == DECRYPT_FORWARD_SECRET) {
        k->forward_secret++;
    } else if (cl->decrypt == DECRYPT_NO_KEYS || sv->decrypt == DECRYPT_NO_KEYS) {
        k->missing++;
    }
}

void report_count_connection(struct file_facts *f, const struct conn *c)
{
    report_count_keys(&f->keys, c);
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

void report_count_connections(struct file_facts *f, struct conn_slots slots)
{
    if (!f->read_ok)
        return;
    for (size_t i = 0; i < slots.n; i++)
        if (slots.v[i] != NULL)
            report_count_connection(f, slots.v[i]);
    report_count_done(f);
}

void report_count_done(struct file_facts *f)
{
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

void report_set_file(struct report_set *s, FILE *out, struct conn_slots slots,
                     const struct file_facts *f, struct spill *spill)
{
    for (size_t i = 0; i < s->n; i++)
        s->ops[i]->begin_file(s->self[i], out, f);
    for (size_t slot = 0; slot < slots.n; slot++) {
        const struct conn *c = slots.v[slot];
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
