# vfioc: a declarative config compiler for PCI/GPU passthrough.
# `make` builds ./vfioc; `make check` runs every test (plain, ASan+UBSan, valgrind, lab);
# `make test` runs the suite once with the plain build; `make help` lists the rest.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/vfioc
MANDIR  ?= $(PREFIX)/share/man
# Where bash-completion, zsh and fish look for completions of installed programs.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
PKG_CONFIG ?= pkg-config

VERSION := 0.1.0
LIBS_PC := yaml-0.1 libpci libxml-2.0

# A missing library is the most common build failure: name the Debian package.
define need_pc
$(if $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo y),,\
  $(error $(1) not found by pkg-config: install it with 'apt-get install $(2)'))
endef
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
$(call need_pc,yaml-0.1,libyaml-dev pkg-config)
$(call need_pc,libpci,libpci-dev pkg-config)
$(call need_pc,libxml-2.0,libxml2-dev pkg-config)
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
# CI builds with -Werror; a user's newer compiler must not break the build over a warning.
ifneq ($(CI),)
WERROR ?= 1
endif
ifneq ($(WERROR),)
WARN += -Werror
endif
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) \
	-DVFIOC_VERSION='"$(VERSION)"' -I. \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null) -pthread $(CFLAGS)
# libpci is not linked: the probe loads it when it first needs it (hw/libpci.c).
# -ldl is empty since glibc 2.34 and needed before.
SHARED_LDLIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 libxml-2.0 2>/dev/null) -ldl -pthread $(LDLIBS)
# ./vfioc links libyaml and libxml2 from their static archives, with what Debian's libxml2
# brings (ICU, libstdc++, zlib, liblzma): loading those as shared libraries took most of a
# seed build's time (bench/RESULTS.md). The binary is ~34 MiB, mostly ICU's data, which is
# mapped, not read. libgcc (the unwinder libstdc++ needs) is linked in too; libc and libm
# stay shared. Where an archive is missing (NixOS and Fedora ship few), make says so and
# links everything shared; STATIC=1 makes that an error instead. SHARED=1 links everything
# shared, as a distribution's package would; the unit tests, the sanitizer and the fuzzing
# builds always do.
ifeq ($(SHARED),)
STATIC_LIBS := $(filter-out -lm -lpthread -ldl,\
	$(shell $(PKG_CONFIG) --static --libs yaml-0.1 libxml-2.0 2>/dev/null)) -lstdc++
# A missing archive is named with the Debian package that has it.
static_pkg = $(or $(if $(filter icu%,$(1)),libicu-dev),$(if $(filter z,$(1)),zlib1g-dev),\
	$(if $(filter stdc++,$(1)),g++),lib$(1)-dev)
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
STATIC_MISSING := $(firstword $(foreach l,$(patsubst -l%,%,$(filter -l%,$(STATIC_LIBS))),\
	$(if $(filter /%,$(shell $(CC) -print-file-name=lib$(l).a)),,$(l))))
endif
ifneq ($(STATIC_MISSING),)
ifneq ($(STATIC),)
$(error STATIC=1 needs lib$(STATIC_MISSING).a: install it with 'apt-get install $(call static_pkg,$(STATIC_MISSING))')
endif
$(info vfioc: no lib$(STATIC_MISSING).a, so linking libyaml and libxml2 shared (vfioc starts slower); 'apt-get install $(call static_pkg,$(STATIC_MISSING))' links them in)
SHARED := 1
endif
endif
ifneq ($(SHARED),)
ALL_LDLIBS := $(SHARED_LDLIBS)
else
ALL_LDLIBS := -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -static-libgcc -lm -ldl -pthread $(LDLIBS)
endif
# Relink when the link line changes (SHARED=1 after a plain build, or back).
LINK_STAMP := $(BUILD)/link-line
$(shell mkdir -p $(BUILD) && echo '$(LDFLAGS) $(ALL_LDLIBS)' | cmp -s - $(LINK_STAMP) || \
	echo '$(LDFLAGS) $(ALL_LDLIBS)' > $(LINK_STAMP))

# The library, folder by folder in the order of its layers (each includes only from the
# folders before it; t-layout checks): base/ (text, diagnostics, YAML and XML helpers),
# model/ (the config's types and the facts about releases and strings), hw/ (the hardware
# model and its probe), schema/ (the config's and the snapshot's formats as tables, each
# with its engine), compiler/ (resolve, checks, plan), backends/ (the outputs), tools/
# (verify, init, groups). cli/ is the tool above them all and is not in the library.
LAYERS   := base model hw schema compiler backends tools
LIB_SRC  := $(sort $(foreach l,$(LAYERS),$(wildcard $(l)/*.c $(l)/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/cli/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS  := $(foreach l,$(LAYERS) cli,$(wildcard $(l)/*.h $(l)/*.def $(l)/*/*.h))

ifeq ($(BUILD),build)
VFIOC := vfioc
else
VFIOC := $(BUILD)/vfioc
endif

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all check test test-asan test-valgrind unit asan install uninstall clean help \
	schema-json bench fuzz fuzz-replay golden-update lint lab

all: $(VFIOC)

CLI_LIBS := $(BUILD)/libvfioc-cli.a $(BUILD)/libvfioc.a

$(VFIOC): $(MAIN_OBJ) $(CLI_LIBS) $(LINK_STAMP)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(CLI_LIBS) $(ALL_LDLIBS)

$(BUILD)/libvfioc.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# The commands of the tool, apart from main(), so that unit tests can link them too.
$(BUILD)/libvfioc-cli.a: $(CLI_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# Where the probe looks for libpci when the loader's search does not find it (NixOS).
$(BUILD)/hw/libpci.o: ALL_CFLAGS += \
	-DPCI_LIB_DIR='"$(shell $(PKG_CONFIG) --variable=libdir libpci 2>/dev/null)"'

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(CLI_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_LIBS) $(SHARED_LDLIBS)

unit: $(UNIT_BIN)

# The suite once, with this build: VFIOC names the binary, UNIT_DIR the unit tests.
test: $(VFIOC) unit
	@VFIOC=$(abspath $(VFIOC)) UNIT_DIR=$(abspath $(BUILD)/tests) MODE=$(or $(MODE),plain) \
		tests/run.sh $(TESTS)

asan:
	$(MAKE) BUILD=build/asan SHARED=1 CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" build/asan/vfioc

test-asan:
	$(MAKE) BUILD=build/asan SHARED=1 CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" MODE=asan test

test-valgrind: $(VFIOC)
	@VFIOC=$(abspath $(VFIOC)) MODE=valgrind tests/run.sh t-golden t-check t-build t-language

# clang-tidy with the checks of .clang-tidy, warnings as errors; one stamp per source file,
# so only what changed is looked at again.
CLANG_TIDY ?= clang-tidy
LINT_OK := $(patsubst %.c,$(BUILD)/lint/%.ok,$(LIB_SRC) $(CLI_SRC) cli/main.c)
lint: $(LINT_OK)
$(BUILD)/lint/%.ok: %.c $(HEADERS) .clang-tidy
	@mkdir -p $(dir $@)
	@$(CLANG_TIDY) --quiet $< -- $(ALL_CFLAGS) > $@.log 2>&1 || \
		{ grep -v ' generated\.$$' $@.log >&2; exit 1; }
	@touch $@

# The golden cases' expected output from this vfioc (tests/golden/README.md), printing what
# changed: review it (git diff tests/golden) before committing, goldens are the spec.
# GOLDEN='tests/golden/check' picks folders or cases.
golden-update: $(VFIOC)
	@VFIOC=$(abspath $(VFIOC)) UPDATE=1 tests/run.sh t-golden

# The lab: this build and its outputs on Debian's kernel under QEMU, with an emulated IOMMU
# (tests/lab/lab.sh; CASES='22-binding-override' to pick cases). Fetches the kernel on first use.
lab: $(VFIOC)
	@VFIOC=$(abspath $(VFIOC)) tests/lab/lab.sh $(CASES)

# Everything, then one summary line for all four runs and the lint.
check:
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	@$(MAKE) -s all unit
	@if $(MAKE) -s -j2 lint; then echo "ok lint: clang-tidy"; else echo "FAIL lint: clang-tidy (make lint)"; \
		fi > $(BUILD)/results/results.lint
	@RESULTS=$(abspath $(BUILD)/results) $(MAKE) -s test || true
	@RESULTS=$(abspath $(BUILD)/results) $(MAKE) -s test-asan || true
	@RESULTS=$(abspath $(BUILD)/results) $(MAKE) -s test-valgrind || true
	@RESULTS=$(abspath $(BUILD)/results) $(MAKE) -s lab || true
	@tests/summary.sh $(BUILD)/results

schema/vfioc.schema.json: $(VFIOC)
	./$(VFIOC) schema > $@.tmp && mv $@.tmp $@
docs/config-reference.md: $(VFIOC)
	./$(VFIOC) schema --format markdown > $@.tmp && mv $@.tmp $@
man/vfioc.yaml.5: $(VFIOC)
	./$(VFIOC) schema --format man > $@.tmp && mv $@.tmp $@
# The snapshot format section of docs/hardware.md: the lines from its "Generated by" marker
# to its "End of the generated" marker are replaced by what vfioc prints now.
docs/hardware.md: $(VFIOC)
	./$(VFIOC) schema --format snapshot > $@.gen
	awk -v gen=$@.gen '/^<!-- Generated by `vfioc schema --format snapshot`/ { \
		while ((getline l < gen) > 0) print l; skip = 1; next } \
		skip { if (/^<!-- End of the generated snapshot format/) skip = 0; next } { print }' \
		$@ > $@.tmp && mv $@.tmp $@ && rm -f $@.gen
schema-json: schema/vfioc.schema.json docs/config-reference.md man/vfioc.yaml.5 docs/hardware.md

# What `make install` puts where besides the binary: SOURCE:DESTINATION (t-install lists
# the tree it gives; uninstall removes the same files).
INSTALL_DATA := schema/vfioc.schema.json:$(DATADIR)/vfioc.schema.json \
	man/vfioc.1:$(MANDIR)/man1/vfioc.1 man/vfioc.yaml.5:$(MANDIR)/man5/vfioc.yaml.5 \
	completions/vfioc.bash:$(BASHCOMPDIR)/vfioc completions/_vfioc:$(ZSHCOMPDIR)/_vfioc \
	completions/vfioc.fish:$(FISHCOMPDIR)/vfioc.fish

install: $(VFIOC)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(VFIOC) $(DESTDIR)$(BINDIR)/vfioc
	@set -e; for p in $(INSTALL_DATA); do \
		dest=$(DESTDIR)$${p#*:}; echo "install -m 644 $${p%%:*} $$dest"; \
		install -d "$${dest%/*}"; install -m 644 "$${p%%:*}" "$$dest"; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfioc $(foreach p,$(INSTALL_DATA),$(DESTDIR)$(lastword $(subst :, ,$(p))))

clean:
	rm -rf build vfioc

help:
	@echo "make                 build ./vfioc"
	@echo "make check           every test: plain, ASan+UBSan, valgrind, the lab; ends with 'N passed, N failed'"
	@echo "make test            the suite once (TESTS='t-golden' to pick scripts)"
	@echo "make test-asan       the suite under AddressSanitizer + UBSan"
	@echo "make lint            clang-tidy with the checks of .clang-tidy, warnings as errors"
	@echo "make golden-update   rewrite the golden cases' expected output, printing what changed"
	@echo "make lab             vfioc and its outputs on a real kernel under QEMU (CASES='22-binding-override')"
	@echo "make schema-json     regenerate schema/vfioc.schema.json, docs/config-reference.md, man/vfioc.yaml.5,"
	@echo "                     the snapshot format in docs/hardware.md"
	@echo "make bench           benchmarks (prints figures)"
	@echo "make fuzz            libFuzzer targets (needs clang)"
	@echo "make install         PREFIX=$(PREFIX) DESTDIR=...: binary, JSON Schema, man pages, completions"
	@echo "make uninstall       the same PREFIX and DESTDIR: removes what install put there"
	@echo "make SHARED=1        link libyaml and libxml2 shared (slower start, a 0.8 MiB binary)"
	@echo "make STATIC=1        link them in, or fail (the default falls back to shared)"
-include mk/quality.mk
