# hybridpath top-level Makefile.
# Each folder declares what it builds in its own build.mk by appending to the lists below;
# this file owns the rules. Output goes to $(O) (default build/). `make V=1` shows commands.
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all
SHELL := /bin/bash

O ?= build
CC := gcc
CLANG ?= clang-19
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
DESTDIR ?=
ARCH := x86
VERSION := 0.1.0

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)"
endif

PKGS := libbpf libxdp
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -D_GNU_SOURCE \
	  -Iuser/include -Iuser -Ibpf/include -I$(O)/skel -I$(O)/tests $(PKG_CFLAGS) -DHP_VERSION='"$(VERSION)"'
LDLIBS += $(PKG_LIBS) -lelf -lz -lpthread -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf/include \
	      -Wall -Werror -Wno-unused-function -Wno-compare-distinct-pointer-types

# Lists filled by */build.mk:
#   BPF_SRCS   dir/name.bpf.c; gives $(O)/bpf/name.bpf.o and $(O)/skel/name.skel.h
#   LIB_SRCS   sources of libhybridpath (.a and .so)
#   BINS       program names; NAME_SRCS lists the sources of $(O)/bin/NAME (linked to the lib)
#   UNIT_SRCS  sources of the unit test runner $(O)/tests/hp_unit (tests are `void test_x(void)`)
#   TEST_BINS  extra test programs, NAME_SRCS as for BINS, built into $(O)/tests/NAME
#   HEADERS    public headers installed under include/hybridpath/
BPF_SRCS :=
LIB_SRCS :=
BINS :=
UNIT_SRCS :=
TEST_BINS :=
HEADERS :=
include $(sort $(wildcard */build.mk))

BPF_OBJS := $(foreach s,$(BPF_SRCS),$(O)/bpf/$(notdir $(s:.bpf.c=.bpf.o)))
SKELS := $(foreach s,$(BPF_SRCS),$(O)/skel/$(notdir $(s:.bpf.c=.skel.h)))
obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
LIB_OBJS := $(call obj,$(sort $(LIB_SRCS)))
LIBA := $(O)/libhybridpath.a
LIBSO := $(O)/libhybridpath.so
BIN_PATHS := $(addprefix $(O)/bin/,$(BINS))
TEST_PATHS := $(addprefix $(O)/tests/,$(TEST_BINS)) $(if $(UNIT_SRCS),$(O)/tests/hp_unit)

.PHONY: all deps help test unit bench demo fuzz install clean vmtest vmshell
all: $(BPF_OBJS) $(SKELS) $(LIBA) $(LIBSO) $(BIN_PATHS) $(TEST_PATHS) $(O)/hybridpath.pc

help:
	@echo 'hybridpath targets:'
	@echo '  make            build BPF objects, skeletons, libhybridpath, xdpctl, apps, tests'
	@echo '  make deps       install missing Debian packages (apt; bookworm-backports)'
	@echo '  make demo       build, run steering on a netns lab, show live stats, clean up'
	@echo '  make test       build and run every test tier this machine allows'
	@echo '  make bench      benchmarks: ratios against baselines measured in the same run'
	@echo '  make fuzz       long libFuzzer run on the rule/option parsers'
	@echo '  make vmtest     only the tests that run inside the QEMU guest'
	@echo '  make vmshell    boot the guest interactively'
	@echo '  make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)'
	@echo '  make clean      remove $(O)/'
	@echo '  options: V=1 (show commands), O=DIR (output folder), CLANG=, BPFTOOL='

deps:
	$(Q)bash mk/deps.sh base vm

# --- BPF: clang -> bpftool gen object (static linking, strips DWARF) -> skeleton ---
define bpf_rule
$(O)/bpf/$(notdir $(1:.bpf.c=.bpf.tmp.o)): $(1) $(wildcard bpf/include/*.h) $(wildcard $(dir $(1))*.h) | $(O)/bpf
	$$(call msg,CLANG,$$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(dir $(1)) -c $(1) -o $$@
endef
$(foreach s,$(BPF_SRCS),$(eval $(call bpf_rule,$(s))))

$(O)/bpf/%.bpf.o: $(O)/bpf/%.bpf.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(O)/skel/%.skel.h: $(O)/bpf/%.bpf.o | $(O)/skel
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# --- userspace ---
$(O)/obj/%.o: %.c $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJS) user/libhybridpath.map
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,--version-script=user/libhybridpath.map -Wl,-soname,libhybridpath.so.0 \
		-o $@ $(LIB_OBJS) $(LDLIBS)

define bin_rule
$(2)/$(1): $(call obj,$($(1)_SRCS)) $(LIBA)
	$$(call msg,LINK,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(CFLAGS) -o $$@ $(call obj,$($(1)_SRCS)) $(LIBA) $(LDLIBS) $($(1)_LDLIBS)
endef
$(foreach b,$(BINS),$(eval $(call bin_rule,$(b),$(O)/bin)))
$(foreach b,$(TEST_BINS),$(eval $(call bin_rule,$(b),$(O)/tests)))

# Unit tests: every `void test_NAME(void)` in UNIT_SRCS is found here; no hand-kept list.
$(O)/tests/unit_list.h: $(UNIT_SRCS) | $(O)/tests
	$(call msg,GEN,$@)
	$(Q)grep -ho '^void test_[a-z0-9][a-z0-9_]*(void)' $(UNIT_SRCS) | sed 's/^void \(test_[a-z0-9_]*\)(void)/DEFINE_TEST(\1)/' | sort -u > $@
$(O)/obj/tests/unit/runner.o: $(O)/tests/unit_list.h
$(O)/tests/hp_unit: $(call obj,$(UNIT_SRCS)) $(LIBA)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(call obj,$(UNIT_SRCS)) $(LIBA) $(LDLIBS)

$(O)/hybridpath.pc: Makefile | $(O)
	$(Q)printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: hybridpath\nDescription: kernel-bypass datapath (XDP steering, AF_XDP, VFIO)\nVersion: %s\nRequires.private: libbpf libxdp\nLibs: -L$${libdir} -lhybridpath\nCflags: -I$${includedir}\n' '$(PREFIX)' '$(VERSION)' > $@

$(O) $(O)/bpf $(O)/skel $(O)/tests:
	$(Q)mkdir -p $@

# --- tests, demo, bench ---
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)O=$(O) bash tests/run.sh $(TIERS)
unit: all
	$(Q)O=$(O) bash tests/run.sh unit
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)O=$(O) bash tests/demo.sh
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)O=$(O) bash tests/bench/run.sh $(BENCHES)
fuzz:
	$(Q)O=$(O) HP_FUZZ_SECONDS=$${HP_FUZZ_SECONDS:-600} bash tests/fuzz/run.sh

install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/hybridpath
	$(Q)install -m 755 $(BIN_PATHS) $(DESTDIR)$(PREFIX)/bin/
	$(Q)install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libhybridpath.so.0
	$(Q)ln -sf libhybridpath.so.0 $(DESTDIR)$(PREFIX)/lib/libhybridpath.so
	$(Q)install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/hybridpath/
	$(Q)sed 's|^prefix=.*|prefix=$(PREFIX)|' $(O)/hybridpath.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/hybridpath.pc
	$(Q)chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/hybridpath.pc
	@echo "installed into $(DESTDIR)$(PREFIX)"

clean:
	$(Q)rm -rf $(O)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
