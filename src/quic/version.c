/* version.c: the QUIC versions an observer can open, as data. */
#include <stddef.h>
#include <stdio.h>
#include "quic/version.h"

#define SALT_V1 {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, \
                 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
#define SALT_D29 {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, \
                  0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
#define SALT_D23 {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, \
                  0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
#define DRAFT(n, s) {.version = 0xff000000u + (n), .name = "draft-" #n, .salt = s, \
                     .label_prefix = "quic", .v2_types = false, .retry_odcid = (n) <= 24}

/* RFC 9001 5.2 (v1; drafts 33 and 34 already used its salt), draft-ietf-quic-tls-29
 * 5.2 (drafts 29 to 32), draft-ietf-quic-tls-23 5.2 (drafts 23 to 28), RFC 9369
 * 3.3.1 (v2), draft-ietf-quic-v2-01 3.3.1 (the v2 draft 0x709a50c4). */
static const struct quic_version versions[] = {
    {.version = 0x00000001, .name = "1", .salt = SALT_V1, .label_prefix = "quic",
     .v2_types = false},
    {.version = 0x6b3343cf, .name = "2",
     .salt = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
              0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9},
     .label_prefix = "quicv2", .v2_types = true},
    {.version = 0x709a50c4, .name = "2-draft",
     .salt = {0xa7, 0x07, 0xc2, 0x03, 0xa5, 0x9b, 0x47, 0x18, 0x4a, 0x1d,
              0x62, 0xca, 0x57, 0x04, 0x06, 0xea, 0x7a, 0xe3, 0xe5, 0xd3},
     .label_prefix = "quicv2", .v2_types = true},
    DRAFT(34, SALT_V1), DRAFT(33, SALT_V1),
    DRAFT(32, SALT_D29), DRAFT(31, SALT_D29), DRAFT(30, SALT_D29), DRAFT(29, SALT_D29),
    DRAFT(28, SALT_D23), DRAFT(27, SALT_D23), DRAFT(26, SALT_D23), DRAFT(25, SALT_D23),
    DRAFT(24, SALT_D23), DRAFT(23, SALT_D23),
};

const struct quic_version *quic_version_find(uint32_t version)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].version == version)
            return &versions[i];
    return NULL;
}

enum quic_ptype quic_version_ptype(const struct quic_version *v, uint8_t first_byte)
{
    /* RFC 9000 17.2 table 5; RFC 9369 3.2 */
    static const enum quic_ptype v1[4] = {QUIC_PT_INITIAL, QUIC_PT_0RTT, QUIC_PT_HANDSHAKE,
                                          QUIC_PT_RETRY};
    static const enum quic_ptype v2[4] = {QUIC_PT_RETRY, QUIC_PT_INITIAL, QUIC_PT_0RTT,
                                          QUIC_PT_HANDSHAKE};
    unsigned bits = (first_byte >> 4) & 3u;
    return v != NULL && v->v2_types ? v2[bits] : v1[bits];
}

void quic_version_name(uint32_t version, char *out, size_t outlen)
{
    const struct quic_version *v = quic_version_find(version);
    if (v != NULL)
        snprintf(out, outlen, "%s", v->name);
    else
        snprintf(out, outlen, "0x%08x", version);
}
