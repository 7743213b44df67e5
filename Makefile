# tlsexplain: explains failed TLS handshakes in packet captures.
# make            build ./tlsexplain
# make demo       install what is missing, build, run on a test capture
# make check      install what is missing, build, run every test (fuzz: FUZZ_RUNS executions per target, see mk/fuzz.mk)
# make unit       build and run every unit test (tests/test_*.c); fails if any fails
# make install    PREFIX=/usr/local DESTDIR= (binary and man page)

CC ?= cc
PREFIX ?= /usr/local
WARN = -Wall -Wextra -Werror -Wswitch-enum -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) -Iinclude $(CFLAGS)
LIBS = -lpcap -lcrypto -lndpi -ljson-c -lm

SRC = $(wildcard src/*.c src/*/*.c)
LIB_SRC = $(filter-out src/main.c,$(SRC))
OBJ = $(SRC:%.c=build/%.o)
LIB_OBJ = $(LIB_SRC:%.c=build/%.o)
TESTS = $(patsubst tests/%.c,build/tests/%,$(wildcard tests/test_*.c))

.PHONY: all deps demo check unit install clean registry

all: tlsexplain

tlsexplain: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS)

build/%.o: %.c $(wildcard include/*.h include/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# the unit tests also link libssl: test_registry compares the suites with OpenSSL's table
TEST_LIBS = -lssl -larchive
build/tests/%: tests/%.c $(LIB_OBJ) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(TEST_LIBS) $(LIBS)

deps:
	@scripts/install-deps.sh

registry:
	python3 scripts/gen_registry.py ../shared/data data src/util/registry_data.c

demo: deps
	@$(MAKE) --no-print-directory all
	./tlsexplain -v test-captures/fail/no-fs-suite.pcap; test $$? -le 1

# every unit test runs, then the target fails if any of them did
unit: $(TESTS)
	@bad=""; for t in $(TESTS); do $$t || bad="$$bad $${t##*/}"; done; \
	if [ -n "$$bad" ]; then echo "unit tests failed:$$bad"; exit 1; fi

check: deps
	@$(MAKE) --no-print-directory all unit
	@tests/run-tests.sh

install: tlsexplain
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 tlsexplain $(DESTDIR)$(PREFIX)/bin/tlsexplain
	install -m 644 man/tlsexplain.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsexplain.1

clean:
	rm -rf build build-asan tlsexplain

# make asan-check (sanitizer build over every capture), make fuzz-run FUZZ_RUNS=N
include mk/asan.mk mk/fuzz.mk

# The unit tests on the sanitizer build too (make check runs them).
ASAN_TESTS = $(patsubst tests/%.c,$(ASAN_DIR)/tests/%,$(wildcard tests/test_*.c))
ASAN_LIB_OBJ = $(filter-out $(ASAN_DIR)/src/main.o,$(ASAN_OBJ))

$(ASAN_DIR)/tests/%: tests/%.c $(ASAN_LIB_OBJ) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(ASAN_CFLAGS) -o $@ $< $(ASAN_LIB_OBJ) $(TEST_LIBS) $(ASAN_LIBS)

.PHONY: unit-asan
unit-asan: $(ASAN_TESTS)
