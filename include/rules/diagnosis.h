/* diagnosis.h: what the rule engine concludes about a connection. */
#ifndef TLSX_DIAGNOSIS_H
#define TLSX_DIAGNOSIS_H

#include <stddef.h>
#include <stdint.h>

enum confidence { CONF_LOW, CONF_MEDIUM, CONF_HIGH };

#define FINDING_MAX_EVIDENCE 8
#define FINDING_MAX_ALTERNATIVES 4
#define DIAGNOSIS_MAX_WARNINGS 6

struct evidence {
    uint64_t frame;
    char *text;
};

/* A finding as stored on a connection: strings allocated to their length,
 * so a capture with many failed connections stays small (the rules build
 * findings in a fixed-size draft first, see rules.h). */
struct finding {
    const char *id;            /* stable diagnosis id, see DESIGN.md */
    const char *title;
    enum confidence confidence;
    char *explanation;
    char *fix;
    const char *refs;          /* where the knowledge comes from */
    struct evidence *evidence;
    size_t n_evidence;
};

struct diagnosis {
    struct finding main;       /* main.id is NULL when nothing was concluded */
    struct finding *alternatives;
    size_t n_alternatives;
    /* risks on connections that succeeded (shown with --all) */
    char *warnings[DIAGNOSIS_MAX_WARNINGS];
    size_t n_warnings;
};

void diagnosis_free(struct diagnosis *d);
const char *confidence_name(enum confidence c);

#endif
