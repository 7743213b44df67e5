/* diagnosis.c: freeing what the rule engine concludes about a connection. */
#include <stdlib.h>
#include "rules/diagnosis.h"

static void finding_free(struct finding *f)
{
    free(f->explanation);
    free(f->fix);
    for (size_t i = 0; i < f->n_evidence; i++)
        free(f->evidence[i].text);
    free(f->evidence);
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
