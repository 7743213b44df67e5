/* diagnosis.h: what the rule engine concludes about a connection. */
#ifndef TLSX_DIAGNOSIS_H
#define TLSX_DIAGNOSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum confidence { CONF_LOW, CONF_MEDIUM, CONF_HIGH };

#define FINDING_MAX_EVIDENCE 8
#define FINDING_MAX_ALTERNATIVES 4
#define DIAGNOSIS_MAX_WARNINGS 6

#define FINDING_MAX_REASONS 12
#define DIAGNOSIS_MAX_RULED_OUT 8

struct evidence {
    uint64_t frame;
    char *text;
};

/* One weighed fact behind a finding: for its cause (weight > 0), against it
 * (weight < 0), or ruling it out (refutes). */
struct reason {
    uint64_t frame;            /* 0: the capture as a whole */
    int8_t weight;
    bool refutes;
    uint8_t source;            /* enum evidence_source (rules.h) */
    const char *ref;           /* RFC section or vendor note, or NULL */
    char fact[200];
};

/* A cause the engine considered and a fact of the capture ruled out. */
struct ruled_out {
    const char *id;
    struct reason why;
};

/* A finding as stored on a connection: strings allocated to their length,
 * so a capture with many failed connections stays small (the rules build
 * findings in a fixed-size draft first, see rules.h). */
struct finding {
    const char *id;            /* stable diagnosis id, listed in man/tlsexplain.1 */
    const char *title;
    enum confidence confidence;
    char *explanation;
    char *fix;
    const char *refs;          /* where the knowledge comes from */
    struct evidence *evidence;
    size_t n_evidence;
    struct reason *reasons;
    size_t n_reasons;
};

struct diagnosis {
    struct finding main;       /* main.id is NULL when nothing was concluded */
    struct finding *alternatives;
    size_t n_alternatives;
    struct ruled_out ruled_out[DIAGNOSIS_MAX_RULED_OUT];
    size_t n_ruled_out;
    /* risks on connections that succeeded (shown with --all) */
    char *warnings[DIAGNOSIS_MAX_WARNINGS];
    size_t n_warnings;
};

void diagnosis_free(struct diagnosis *d);
const char *confidence_name(enum confidence c);
const char *evidence_source_name(uint8_t source); /* "connection", "server", ... */

#endif
