/* transcript.c: running handshake hashes (see transcript.h), with libcrypto. */
#include <stdlib.h>
#include <openssl/evp.h>
#include "tls/transcript.h"

enum { T_MD5, T_SHA1, T_SHA256, T_SHA384, T_COUNT };

struct tls_transcript {
    EVP_MD_CTX *md[T_COUNT];
    EVP_MD_CTX *session[T_COUNT]; /* a copy at the ClientKeyExchange */
    bool failed, marked;
};

struct tls_transcript *transcript_new(void)
{
    static const char *const names[T_COUNT] = {
        [T_MD5] = "MD5", [T_SHA1] = "SHA1", [T_SHA256] = "SHA256", [T_SHA384] = "SHA384"};
    struct tls_transcript *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    for (int i = 0; i < T_COUNT; i++) {
        EVP_MD *md = EVP_MD_fetch(NULL, names[i], NULL);
        t->md[i] = EVP_MD_CTX_new();
        /* MD5 may be missing from a FIPS provider: then TLS 1.0/1.1 Finished go unchecked */
        if (md == NULL || t->md[i] == NULL || EVP_DigestInit_ex(t->md[i], md, NULL) != 1) {
            EVP_MD_CTX_free(t->md[i]);
            t->md[i] = NULL;
        }
        EVP_MD_free(md);
    }
    return t;
}

void transcript_add(struct tls_transcript *t, const uint8_t *msg, size_t n)
{
    if (t == NULL)
        return;
    for (int i = 0; i < T_COUNT; i++)
        if (t->md[i] != NULL && EVP_DigestUpdate(t->md[i], msg, n) != 1)
            t->failed = true;
}

/* The digest so far, from a copy: the running hash goes on. */
static bool peek(EVP_MD_CTX *const md[T_COUNT], int which, uint8_t *out, unsigned *len)
{
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    bool ok = copy != NULL && md[which] != NULL && EVP_MD_CTX_copy_ex(copy, md[which]) == 1 &&
              EVP_DigestFinal_ex(copy, out, len) == 1;
    EVP_MD_CTX_free(copy);
    return ok;
}

void transcript_mark_session(struct tls_transcript *t)
{
    if (t == NULL || t->marked)
        return;
    t->marked = true;
    for (int i = 0; i < T_COUNT; i++) {
        if (t->md[i] == NULL)
            continue;
        t->session[i] = EVP_MD_CTX_new();
        if (t->session[i] == NULL || EVP_MD_CTX_copy_ex(t->session[i], t->md[i]) != 1)
            t->failed = true;
    }
}

static bool digest(EVP_MD_CTX *const md[T_COUNT], bool failed, enum tls12_prf_hash h,
                   uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len);

bool transcript_session_hash(const struct tls_transcript *t, enum tls12_prf_hash h,
                             uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len)
{
    return t != NULL && t->marked && digest(t->session, t->failed, h, out, len);
}

bool transcript_hash(const struct tls_transcript *t, enum tls12_prf_hash h,
                     uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len)
{
    return t != NULL && digest(t->md, t->failed, h, out, len);
}

static bool digest(EVP_MD_CTX *const md[T_COUNT], bool failed, enum tls12_prf_hash h,
                   uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len)
{
    unsigned a = 0, b = 0;
    if (failed)
        return false;
    switch (h) {
    case PRF_MD5_SHA1:
        /* RFC 2246 7.4.9: MD5(handshake_messages) + SHA-1(handshake_messages) */
        if (!peek(md, T_MD5, out, &a) || !peek(md, T_SHA1, out + a, &b))
            return false;
        *len = (size_t)a + b;
        return true;
    case PRF_SHA256:
        if (!peek(md, T_SHA256, out, &a))
            return false;
        *len = a;
        return true;
    case PRF_SHA384:
        if (!peek(md, T_SHA384, out, &a))
            return false;
        *len = a;
        return true;
    }
    return false;
}

bool transcript_ssl3_finished(const struct tls_transcript *t,
                              const uint8_t master[SSL3_MASTER_LEN], bool client,
                              uint8_t out[SSL3_FINISHED_LEN])
{
    return t != NULL && !t->failed && t->md[T_MD5] != NULL && t->md[T_SHA1] != NULL &&
           ssl3_finished(t->md[T_MD5], t->md[T_SHA1], master, client, out) == ST_OK;
}

void transcript_break(struct tls_transcript *t)
{
    if (t != NULL)
        t->failed = true;
}

void transcript_free(struct tls_transcript *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < T_COUNT; i++) {
        EVP_MD_CTX_free(t->md[i]);
        EVP_MD_CTX_free(t->session[i]);
    }
    free(t);
}
