# The two commands of the README. Both install what is missing first (scripts/bootstrap.sh).
SWIFT ?= swift
DEMO_SOURCE := Projects/pose2sim-demo
DEMO := Projects/demo.bdmm
BIN := .build/release/posestudio

.PHONY: demo test bootstrap build release bench clean

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --product posestudio

$(DEMO): | release
	$(BIN) new $(DEMO) --image $(DEMO_SOURCE)/source.png --poses $(DEMO_SOURCE)/cam01_keypoints --fps 60

# Until the studio lands (`posestudio open`), the demo shows the project.
demo: release $(DEMO)
	$(BIN) info $(DEMO)

test: build
	$(SWIFT) test
	# The media targets (FFmpeg / chafa owners) again under AddressSanitizer, in their own build dir.
	LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan-suppressions.txt \
		$(SWIFT) test --sanitize=address --scratch-path .build-asan --filter 'ImagingTests|MediaIOTests|TerminalPreviewTests'

bench: release
	$(BIN) bench project
	$(BIN) bench media

clean:
	rm -rf .build .build-asan
