# ipcfence — see README.md. `make demo` and `make check` work on a fresh
# Debian machine: build-aux/deps.sh installs what is missing (as root) or
# prints the exact apt-get line (as a user).

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC      ?= cc
CLANG   ?= clang
BUILD   ?= build
ifeq ($(SANITIZE),1)
BUILD      := build-asan
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HARDEN     :=
else
HARDEN     := -D_FORTIFY_SOURCE=3
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wformat-security \
        -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wpointer-arith \
        -Wundef -Wno-unused-parameter -Wimplicit-fallthrough
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -fstack-protector-strong $(WARN) $(SAN_CFLAGS)
CPPFLAGS += -Ilib -D_GNU_SOURCE $(HARDEN) \
            -DIPF_VERSION='"$(VERSION)"' \
            -DIPF_DATADIR='"$(DATADIR)"' -DIPF_SYSCONFDIR='"$(SYSCONFDIR)"'
LDFLAGS  += $(SAN_CFLAGS) -Wl,-z,relro,-z,now
# libseccomp and libcap-ng are linked statically: the dynamic loader costs
# ~1 ms per library on every launch (issue #2 measured 2.1 ms for four).
SYS_LIBS := -Wl,-Bstatic $(shell pkg-config --libs libseccomp libcap-ng 2>/dev/null) -Wl,-Bdynamic
SYS_CFLAGS := $(shell pkg-config --cflags libseccomp libcap-ng 2>/dev/null)
CRIT_LIBS := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

LIB_SRCS      := $(sort $(wildcard lib/*/*.c))
LAUNCHER_SRCS := $(sort $(wildcard launcher/*.c))
UNIT_SRCS     := $(sort $(wildcard tests/unit/*.c))
ITEST_SRCS    := $(sort $(filter-out tests/integration/probe.c,$(wildcard tests/integration/*.c)))
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz-*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS      := $(call obj,$(LIB_SRCS))
LAUNCHER_OBJS := $(call obj,$(LAUNCHER_SRCS))
UNIT_OBJS     := $(call obj,$(UNIT_SRCS))
ITEST_OBJS    := $(call obj,$(ITEST_SRCS))

LIBIPF   := $(BUILD)/libipcfence.a
IPCFENCE := $(BUILD)/ipcfence
PROBE    := $(BUILD)/tests/probe
UNIT     := $(BUILD)/tests/unit-tests
ITEST    := $(BUILD)/tests/integration-tests
REPLAY   := $(patsubst tests/fuzz/fuzz-%.c,$(BUILD)/tests/replay-%,$(FUZZ_SRCS))
FUZZERS  := $(patsubst tests/fuzz/fuzz-%.c,$(BUILD)/fuzz/fuzz-%,$(FUZZ_SRCS))

.PHONY: all deps check check-tests demo bench fuzz install clean format-check
all: $(IPCFENCE)

deps:
	@build-aux/deps.sh build

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SYS_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# Installation paths are compiled into the launcher: rebuild it when they
# change (make PREFIX=/usr install after a plain make).
CONFIG_STAMP := $(BUILD)/config.stamp
$(CONFIG_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR) $(SYSCONFDIR) $(VERSION)' | cmp -s - $@ 2>/dev/null || \
	  echo '$(DATADIR) $(SYSCONFDIR) $(VERSION)' > $@
$(BUILD)/obj/launcher/profile-env.o $(BUILD)/obj/launcher/options.o: $(CONFIG_STAMP)
.PHONY: FORCE
FORCE:

$(LIBIPF): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(IPCFENCE): $(LAUNCHER_OBJS) $(LIBIPF)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYS_LIBS)

$(PROBE): tests/integration/probe.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $<

$(UNIT): $(UNIT_OBJS) $(LIBIPF)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYS_LIBS) $(CRIT_LIBS)

$(ITEST): $(ITEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRIT_LIBS)

# Fuzz targets link into a replay program (tests/fuzz/replay-main.c) so the
# committed corpus runs in `make check`; `make fuzz` builds them with libFuzzer.
$(BUILD)/tests/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay-main.c $(LIBIPF)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(SYS_LIBS)

$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(LIB_SRCS)
	@mkdir -p $(@D)
	$(CLANG) -Ilib -D_GNU_SOURCE -DIPF_VERSION='"$(VERSION)"' -DIPF_DATADIR='"$(DATADIR)"' \
	  -DIPF_SYSCONFDIR='"$(SYSCONFDIR)"' $(SYS_CFLAGS) -g -O1 \
	  -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRCS) $(SYS_LIBS)

TEST_BINS := $(IPCFENCE) $(PROBE) $(UNIT) $(ITEST) $(REPLAY)

# check: dependencies, the suite, then the same suite under ASan+UBSan.
# The plain run races 100,000 connects against the broker (issue #3); the
# sanitized one, ten times slower, 5,000.
check: deps
	@build-aux/deps.sh test
	IPF_RACE_ATTEMPTS=100000 $(MAKE) check-tests
	IPF_RACE_ATTEMPTS=5000 $(MAKE) SANITIZE=1 check-tests

check-tests: $(TEST_BINS)
	BUILD=$(BUILD) tests/run-tests.sh

demo: deps
	@build-aux/deps.sh demo
	$(MAKE) all
	BUILD=$(BUILD) tests/demo.sh

bench: deps
	@build-aux/deps.sh bench
	$(MAKE) all $(PROBE)
	BUILD=$(BUILD) tests/bench/bench.sh

FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	  n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$n for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -dict=tests/fuzz/$$n.dict $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$${n#fuzz-} || exit 1; \
	done

install: $(IPCFENCE)
	install -Dm755 $(IPCFENCE) $(DESTDIR)$(BINDIR)/ipcfence
	install -d $(DESTDIR)$(DATADIR)/ipcfence/profiles/abstractions
	install -m644 profiles/*.profile $(DESTDIR)$(DATADIR)/ipcfence/profiles/
	install -m644 profiles/abstractions/*.profile $(DESTDIR)$(DATADIR)/ipcfence/profiles/abstractions/
	install -Dm644 -t $(DESTDIR)$(MANDIR)/man1 man/ipcfence.1
	install -Dm644 -t $(DESTDIR)$(MANDIR)/man5 man/ipcfence.profile.5
	@# Ubuntu 24.04+ refuses unprivileged user namespaces to binaries
	@# without an AppArmor profile granting `userns` (as bubblewrap ships).
	@if [ -d $(DESTDIR)$(SYSCONFDIR)/apparmor.d ] || [ -d /etc/apparmor.d ]; then \
	  sed 's|@BINDIR@|$(BINDIR)|g' build-aux/apparmor-ipcfence.in > $(BUILD)/apparmor-ipcfence; \
	  install -Dm644 $(BUILD)/apparmor-ipcfence $(DESTDIR)$(SYSCONFDIR)/apparmor.d/ipcfence; \
	  echo "installed $(SYSCONFDIR)/apparmor.d/ipcfence (load it: apparmor_parser -r $(SYSCONFDIR)/apparmor.d/ipcfence)"; \
	fi

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(LAUNCHER_SRCS) $(wildcard lib/*/*.h lib/*.h)

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
