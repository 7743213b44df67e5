/* merge_json.c: reading the JSON Lines of earlier runs (see merge_json.h). */
#include <stdlib.h>
#include "merge.h"
#include "merge_json.h"

/* A line of f into *buf (grown, capped at MERGE_MAX_LINE); false at the end. */
bool merge_read_line(FILE *f, char **buf, size_t *cap, size_t *len, bool *too_long)
{
    int ch;
    *len = 0;
    *too_long = false;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (*len + 1 >= *cap) {
            if (*cap >= MERGE_MAX_LINE) {
                *too_long = true;
                continue; /* the rest of the line is passed over */
            }
            size_t grown_cap = *cap ? *cap * 2 : 4096;
            char *grown = realloc(*buf, grown_cap);
            if (grown == NULL) {
                *too_long = true;
                continue;
            }
            *buf = grown;
            *cap = grown_cap;
        }
        (*buf)[(*len)++] = (char)ch;
    }
    if (*cap > 0)
        (*buf)[*len] = '\0';
    return ch != EOF || *len > 0;
}

const char *merge_get_string(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* A count: an integer from 0 to 2^48 (no run counts more). */
bool merge_get_count(struct json_object *obj, const char *key, size_t *out)
{
    struct json_object *v;
    *out = 0;
    if (!json_object_object_get_ex(obj, key, &v))
        return true; /* a field a run leaves out is 0 */
    if (!json_object_is_type(v, json_type_int))
        return false;
    int64_t n = json_object_get_int64(v);
    if (n < 0 || n > ((int64_t)1 << 48))
        return false;
    *out = (size_t)n;
    return true;
}

const char *merge_error_of(struct json_object *obj, bool *unreadable)
{
    struct json_object *v;
    const char *error = merge_get_string(obj, "error");
    *unreadable = error != NULL && json_object_object_get_ex(obj, "unreadable_capture", &v) &&
                  json_object_get_boolean(v);
    return error;
}
