/* diagnosis.h: what the rule engine concludes about a connection. */
#ifndef TLSX_DIAGNOSIS_H
#define TLSX_DIAGNOSIS_H

#include <stddef.h>
#include <stdint.h>

enum confidence { CONF_LOW, CONF_MEDIUM, CONF_HIGH };

#define FINDING_MAX_EVIDENCE 8
#define FINDING_MAX_ALTERNATIVES 4

struct evidence {
    uint64_t frame;
    char text[200];
};

struct finding {
    const char *id;            /* stable diagnosis id, see DESIGN.md */
    const char *title;
    enum confidence confidence;
    char explanation[1400];
    char fix[900];
    const char *refs;          /* where the knowledge comes from */
    struct evidence evidence[FINDING_MAX_EVIDENCE];
    size_t n_evidence;
};

struct diagnosis {
    struct finding main;
    struct finding alternatives[FINDING_MAX_ALTERNATIVES];
    size_t n_alternatives;
    /* warnings on connections that succeeded (shown with --all) */
    char warnings[4][300];
    size_t n_warnings;
};

const char *confidence_name(enum confidence c);

#endif
