/* testlib.h: a small test runner. Each test file defines tests with TEST(name)
 * and lists them in a TEST_LIST; testlib_main runs them and ends with the line
 * "N passed, N failed" that CI reads. */
#ifndef TLSX_TESTLIB_H
#define TLSX_TESTLIB_H

#include <stdio.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(int *failures);
};

#define TEST(name) static void name(int *failures_)

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__,          \
                    __LINE__, #cond);                                        \
            (*failures_)++;                                                  \
        }                                                                    \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                   \
    do {                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                  \
        if (a_ != b_) {                                                      \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n",    \
                    __FILE__, __LINE__, #a, a_, #b, b_);                     \
            (*failures_)++;                                                  \
        }                                                                    \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                   \
    do {                                                                     \
        const char *a_ = (a), *b_ = (b);                                     \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {               \
            fprintf(stderr, "  %s:%d: %s is \"%s\", expected \"%s\"\n",      \
                    __FILE__, __LINE__, #a, a_ ? a_ : "(null)",              \
                    b_ ? b_ : "(null)");                                     \
            (*failures_)++;                                                  \
        }                                                                    \
    } while (0)

/* Hex digits (spaces and other separators skipped) into bytes, as the RFCs
 * print their test vectors; returns the count (bytes past max are counted,
 * not written). */
static inline size_t testlib_unhex(const char *s, unsigned char *out, size_t max)
{
    size_t n = 0;
    int hi = -1;
    for (; *s != '\0'; s++) {
        int v;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            if (n < max)
                out[n] = (unsigned char)(hi << 4 | v);
            n++;
            hi = -1;
        }
    }
    return n;
}

/* p[0..n) equals the bytes the hex text spells. */
static inline int testlib_same_hex(const unsigned char *p, size_t n, const char *hex)
{
    unsigned char want[4096];
    size_t m = testlib_unhex(hex, want, sizeof want);
    return m == n && m <= sizeof want && memcmp(p, want, n) == 0;
}

#define TEST_ENTRY(name) { #name, name }

/* A file's first max bytes into buf (a test's input); the count, 0 when it
 * cannot be read. */
static inline size_t testlib_read_file(const char *path, unsigned char *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, max, f);
    fclose(f);
    return n;
}

static inline int testlib_main(const char *suite, const struct test_case *tests,
                               size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int failures = 0;
        tests[i].fn(&failures);
        if (failures == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s: %s\n", suite, tests[i].name);
        }
    }
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed == 0 ? 0 : 1;
}

#define TEST_MAIN(suite, ...)                                                \
    int main(void)                                                           \
    {                                                                        \
        static const struct test_case tests_[] = {__VA_ARGS__};              \
        return testlib_main(suite, tests_, sizeof tests_ / sizeof tests_[0]);\
    }

#endif
