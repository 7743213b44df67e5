/* diagnosis.c: the lifetime and the names of what the engine concludes
 * (see diagnosis.h). */
#include <stdlib.h>
#include "rules/diagnosis.h"
#include "rules/rules.h"

static void finding_free(struct finding *f)
{
    free(f->explanation);
    free(f->fix);
    for (size_t i = 0; i < f->n_evidence; i++)
        free(f->evidence[i].text);
    free(f->evidence);
    free(f->reasons);
}

void diagnosis_free(struct diagnosis *d)
{
    if (d == NULL)
        return;
    finding_free(&d->main);
    for (size_t i = 0; i < d->n_alternatives; i++)
        finding_free(&d->alternatives[i]);
    free(d->alternatives);
    for (size_t i = 0; i < d->n_warnings; i++)
        free(d->warnings[i]);
    free(d);
}

const char *confidence_name(enum confidence c)
{
    switch (c) {
    case CONF_LOW: return "low";
    case CONF_MEDIUM: return "medium";
    case CONF_HIGH: return "high";
    }
    return "?";
}

const char *evidence_source_name(uint8_t source)
{
    switch ((enum evidence_source)source) {
    case SRC_CONNECTION: return "connection";
    case SRC_SERVER: return "server";
    case SRC_PROTOCOL: return "protocol";
    case SRC_STACK: return "stack";
    }
    return "?";
}
