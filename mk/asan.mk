# mk/asan.mk: the whole tool built with AddressSanitizer and UBSan (any
# report aborts the run), then run over every file of the shared corpus and
# the test captures, with --json and with -a -v.
#   make asan-build      build-asan/tlsexplain
#   make asan-check      build, then run; fails on any sanitizer report,
#                        exit status >= 128 or time-out (tests/sanitize.sh)
# Works included from the top-level Makefile or alone: make -f mk/asan.mk

asan_saved_goal := $(.DEFAULT_GOAL)

ASAN_CC ?= $(CC)
ASAN_DIR = build-asan
ASAN_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
	-Wall -Wextra -Werror $(ASAN_SAN)
# the libraries of the top-level Makefile, also when this file is used alone
ASAN_LIBS = $(or $(LIBS),$(shell sed -n 's/^LIBS *= *//p' Makefile))
ASAN_SRC = $(wildcard src/*.c src/*/*.c)
ASAN_OBJ = $(ASAN_SRC:%.c=$(ASAN_DIR)/%.o)
TLSX_CORPUS ?= ../shared/corpus
ASAN_INPUTS ?= $(TLSX_CORPUS) test-captures

.PHONY: asan-build asan-check

asan-build: $(ASAN_DIR)/tlsexplain

$(ASAN_DIR)/tlsexplain: $(ASAN_OBJ)
	$(ASAN_CC) $(ASAN_CFLAGS) -o $@ $(ASAN_OBJ) $(ASAN_LIBS)

$(ASAN_DIR)/%.o: %.c $(wildcard include/*.h include/*/*.h)
	@mkdir -p $(dir $@)
	@[ -f $(ASAN_DIR)/.gitignore ] || echo '*' >$(ASAN_DIR)/.gitignore
	$(ASAN_CC) $(ASAN_CFLAGS) -c -o $@ $<

# every input folder must be there: a missing corpus fails the check, it is
# not quietly left out
asan-check: $(ASAN_DIR)/tlsexplain
	@for d in $(ASAN_INPUTS); do [ -d "$$d" ] || { \
	    echo "asan-check: cannot run: input folder $$d is missing (set TLSX_CORPUS)"; \
	    echo "asan-check: 0 passed, 1 failed"; exit 1; }; done
	@tests/sanitize.sh $(ASAN_DIR)/tlsexplain $(ASAN_INPUTS)

ifeq ($(words $(MAKEFILE_LIST)),1)
.DEFAULT_GOAL := asan-check
else
.DEFAULT_GOAL := $(asan_saved_goal)
endif
