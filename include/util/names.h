/* names.h: protocol values as the words people read, for rules and reporters
 * alike. Each returns its text by value (no buffer to pass, no static state):
 * printf("%s", name_suite(s).s) is valid for the whole full expression
 * (C11 6.2.4p8). Unknown values come out as "0x1234", as the JSON schema
 * names them. */
#ifndef TLSX_NAMES_H
#define TLSX_NAMES_H

#include <stdint.h>

struct value_name {
    char s[64];
};

struct value_name name_version(uint16_t v);   /* "TLS 1.2", "0x7e01" */
struct value_name name_suite(uint16_t v);     /* "TLS_AES_128_GCM_SHA256" */
struct value_name name_alert(uint8_t code);   /* "handshake_failure", "alert 200" */
/* SSL 2.0 cipher kinds (draft-hickman-netscape-ssl-00, appendix C), e.g.
 * "SSL_CK_RC4_128_WITH_MD5"; NULL for an unknown kind. */
const char *name_sslv2_cipher(uint32_t kind);

#endif
