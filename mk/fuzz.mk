# mk/fuzz.mk: libFuzzer targets over every parser entry point (fuzz/fuzz_*.c):
#   capture (the whole pipeline and every reporter), tls_stream (record layer,
#   handshake decoders, rules), tls13 (key log decryption, sealed by the
#   harness), tls12 (SSL 3.0 and TLS 1.0-1.2 record opening), pcapng_secrets (Decryption
#   Secrets Blocks and their key log), cert, reassembly, keylog.
#   make fuzz-build                  build/fuzz/fuzz_NAME, clang with ASan+UBSan
#   make fuzz-run [FUZZ_RUNS=N]      each target for N executions (libFuzzer
#                                    -runs: work, not seconds of a loaded
#                                    machine), seeded from the captures; fails
#                                    on a crash, leak or timeout, and when a
#                                    seed folder is missing
#   make fuzz-replay-build           build/fuzz/replay_NAME: the same entry points
#                                    with a plain main and $(CC), for tests/regress.sh
# Works included from the top-level Makefile or alone: make -f mk/fuzz.mk ...
# Seed corpora are made at run time (fuzz/seeds.py) into fuzz/corpus-NAME/,
# which is gitignored; crashes land in build/fuzz/artifacts/.

fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
# executions per target (libFuzzer -runs, the seed corpus included). The
# capture target runs the whole pipeline (30-45 executions a second here),
# tls_stream 350-550, the others about 1000-1900: the defaults keep the six
# targets near five minutes together on one core. FUZZ_RUNS=N on the command
# line sets every target to N.
FUZZ_RUNS ?= 30000
FUZZ_RUNS_capture ?= 5000
FUZZ_RUNS_tls_stream ?= 12000
ifeq ($(origin FUZZ_RUNS),command line)
FUZZ_RUNS_capture := $(FUZZ_RUNS)
FUZZ_RUNS_tls_stream := $(FUZZ_RUNS)
endif
# a safety net only (a run that reaches it fails): -runs bounds the work
FUZZ_MAX_SECONDS ?= 600
TLSX_CORPUS ?= ../shared/corpus
FUZZ_SEED_DIRS ?= test-captures $(TLSX_CORPUS) tests/regress
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
	-Wall -Wextra -Werror -Wno-unused-parameter
# the libraries of the top-level Makefile, also when this file is used alone
FUZZ_LIBS = $(or $(LIBS),$(shell sed -n 's/^LIBS *= *//p' Makefile))
FUZZ_DIR = build/fuzz
FUZZ_NAMES = $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_LIB_SRC = $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
# objects for libFuzzer (coverage, clang) and for the replay drivers ($(CC))
FUZZ_OBJ = $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_REPLAY_OBJ = $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/replay-obj/%.o)
FUZZ_BINS = $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY_BINS = $(FUZZ_NAMES:%=$(FUZZ_DIR)/replay_%)
FUZZ_OPTS = -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
# a corpus past this many files is minimised first (libFuzzer -merge=1), so
# that a short run does not spend its time re-reading what earlier runs found
FUZZ_CORPUS_MAX ?= 2000

.PHONY: fuzz-build fuzz-run fuzz-replay-build
# the objects appear only in pattern rules: without this make deletes them
# after each build as intermediate files, and every build starts over
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_REPLAY_OBJ)

fuzz-build: $(FUZZ_BINS)

fuzz-replay-build: $(FUZZ_REPLAY_BINS)

$(FUZZ_DIR)/obj/%.o: %.c $(wildcard include/*.h include/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(FUZZ_LIBS)

$(FUZZ_DIR)/replay-obj/%.o: %.c $(wildcard include/*.h include/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_DIR)/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(FUZZ_REPLAY_OBJ)
	$(CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< fuzz/replay.c $(FUZZ_REPLAY_OBJ) $(FUZZ_LIBS)

# One target after the other (libFuzzer uses one core each); the summary line
# per target comes from libFuzzer's final stats. Any crash, leak, timeout or
# out-of-memory makes libFuzzer exit non-zero, and then this target fails.
fuzz-run: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/logs
	@for d in $(FUZZ_SEED_DIRS); do [ -d "$$d" ] || { \
	    echo "fuzz: cannot run: seed folder $$d is missing (set TLSX_CORPUS)"; \
	    echo "fuzz: 0 passed, 1 failed"; exit 1; }; done
	@pass=0 fail=0; for t in $(FUZZ_NAMES); do \
	    mkdir -p fuzz/corpus-$$t; \
	    python3 fuzz/seeds.py $$t fuzz/corpus-$$t $(FUZZ_SEED_DIRS) >/dev/null || exit 1; \
	    log=$(FUZZ_DIR)/logs/$$t-$$$$.log; \
	    if [ $$(ls fuzz/corpus-$$t | wc -l) -gt $(FUZZ_CORPUS_MAX) ]; then \
	        rm -rf fuzz/corpus-$$t.min-$$$$ && mkdir fuzz/corpus-$$t.min-$$$$ && \
	        $(FUZZ_DIR)/fuzz_$$t $(FUZZ_OPTS) -merge=1 fuzz/corpus-$$t.min-$$$$ fuzz/corpus-$$t \
	            >$$log 2>&1 && rm -rf fuzz/corpus-$$t && mv fuzz/corpus-$$t.min-$$$$ fuzz/corpus-$$t; \
	        rm -rf fuzz/corpus-$$t.min-$$$$; \
	    fi; \
	    runs=$(FUZZ_RUNS); \
	    case $$t in capture) runs=$(FUZZ_RUNS_capture) ;; tls_stream) runs=$(FUZZ_RUNS_tls_stream) ;; esac; \
	    ASAN_OPTIONS=detect_leaks=1 \
	    $(FUZZ_DIR)/fuzz_$$t $(FUZZ_OPTS) -runs=$$runs -max_total_time=$(FUZZ_MAX_SECONDS) \
	        -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- fuzz/corpus-$$t >$$log 2>&1; \
	    rc=$$?; \
	    execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	    rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
	    cov=$$(grep -o 'cov: [0-9]*' $$log | tail -1); \
	    corp=$$(ls fuzz/corpus-$$t | wc -l); \
	    if [ $$rc -eq 0 ] && [ "$${execs:-0}" -lt $$runs ]; then \
	        fail=$$((fail + 1)); \
	        echo "fuzz $$t: FAILED: $${execs:-0} of $$runs runs before the $(FUZZ_MAX_SECONDS) s safety limit; log $$log"; \
	    elif [ $$rc -eq 0 ]; then \
	        pass=$$((pass + 1)); \
	        echo "fuzz $$t: ok, $${execs:-?} execs, $${rate:-?} execs/s, $$cov, corpus $$corp"; \
	        rm -f $$log; \
	    else \
	        fail=$$((fail + 1)); \
	        echo "fuzz $$t: FAILED (exit $$rc), $${execs:-?} execs; log $$log"; \
	        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' $$log | head -5 | sed 's/^/    /'; \
	    fi; \
	done; \
	echo "fuzz: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

ifeq ($(words $(MAKEFILE_LIST)),1)
.DEFAULT_GOAL := fuzz-build
else
.DEFAULT_GOAL := $(fuzz_saved_goal)
endif
