# quality.mk: fuzzing (make fuzz, fuzz-replay, fuzz-merge) and the benchmark (make bench).
# Included at the end of the Makefile; uses its variables (WARN, LIBS_PC, BUILD, VFIOC).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_SAN     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) \
	-DVFIOC_VERSION='"$(VERSION)"' -I. \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
FUZZ_FLAGS   := -max_len=65536 -timeout=10 -print_final_stats=1
REPLAY_BIN   := $(BUILD)/tests/test_fuzz_replay

.PHONY: fuzz-build fuzz-merge

# The library instrumented for libFuzzer, built by this Makefile in its own tree.
fuzz-build:
	@$(MAKE) -s BUILD=$(FUZZ_BUILD) SHARED=1 CC=$(FUZZ_CC) \
		CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libvfioc.a
	@$(MAKE) -s $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libvfioc.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libvfioc.a $(SHARED_LDLIBS)

# Each target for FUZZ_SECONDS: new inputs go to build/fuzz/corpus/<t> (the committed corpus
# is only read), crashes to build/fuzz/artifacts/. Fails when a target finds a crash.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS)s"; \
		VFIOC_FUZZ_HW=$(abspath tests/fuzz/hw.yaml) nice $(FUZZ_BUILD)/fuzz_$$t $(FUZZ_FLAGS) \
			$$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict) \
			-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t > $(FUZZ_BUILD)/fuzz_$$t.log 2>&1; \
		rc=$$?; grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed|==[0-9]+==ERROR|SUMMARY|Test unit written)' \
			$(FUZZ_BUILD)/fuzz_$$t.log; \
		[ $$rc -eq 0 ] || { echo "fuzz_$$t failed: see $(FUZZ_BUILD)/fuzz_$$t.log"; exit 1; }; \
	done

# Minimize what the fuzzer found into the committed corpus (review, then commit).
fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/merged/$$t; rm -f $(FUZZ_BUILD)/merged/$$t/*; \
		VFIOC_FUZZ_HW=$(abspath tests/fuzz/hw.yaml) $(FUZZ_BUILD)/fuzz_$$t -merge=1 \
			$(FUZZ_BUILD)/merged/$$t tests/fuzz/corpus/$$t $(FUZZ_BUILD)/corpus/$$t \
			2>&1 | tail -1; \
		rm -f tests/fuzz/corpus/$$t/*; cp $(FUZZ_BUILD)/merged/$$t/* tests/fuzz/corpus/$$t/; \
	done

# Replay the committed corpus with the normal build (no clang needed).
fuzz-replay: $(REPLAY_BIN)
	@cd tests && $(abspath $(REPLAY_BIN)) fuzz/corpus | grep -c '^ok ' | sed 's/$$/ inputs replayed/'

# Figures for check, build and probe at growing sizes (bench/bench.py); never fails on timing.
# The SHARED=1 build beside it, in its own tree, for the seed figures.
bench: $(VFIOC)
	@$(MAKE) -s BUILD=build/shared SHARED=1 build/shared/vfioc
	@VFIOC=$(abspath $(VFIOC)) VFIOC_SHARED=$(abspath build/shared/vfioc) python3 bench/bench.py

# The replay driver includes the fuzz targets: rebuild it when they change.
$(BUILD)/tests/test_fuzz_replay: $(wildcard tests/fuzz/*.c)
