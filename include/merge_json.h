/* merge_json.h: what --merge reads a JSON Lines file with: its lines,
 * capped, and the members of a line's object. */
#ifndef TLSX_MERGE_JSON_H
#define TLSX_MERGE_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A line of f into *buf (grown, capped at MERGE_MAX_LINE); false at the end. */
bool merge_read_line(FILE *f, char **buf, size_t *cap, size_t *len, bool *too_long);
/* A member that is a string, or NULL. */
const char *merge_get_string(struct json_object *obj, const char *key);
/* A count: an integer from 0 to 2^48 (no run counts more); a member a run
 * leaves out is 0. */
bool merge_get_count(struct json_object *obj, const char *key, size_t *out);
/* An "error" line's message, and whether the input opened as a capture that
 * could not be read (it has a row in the summary table); NULL when the line
 * carries no message. */
const char *merge_error_of(struct json_object *obj, bool *unreadable);

#endif
