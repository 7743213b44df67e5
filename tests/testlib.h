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

#define TEST_ENTRY(name) { #name, name }

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
