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

# The demo project renders with the generator trained on its own subject (make train-demo), in
# portrait crops over the video's background plate, where the person really is (no normalisation).
$(DEMO): | release
	rm -f $(DEMO).tmp $(DEMO).tmp-wal $(DEMO).tmp-shm
	$(BIN) new $(DEMO).tmp --image $(DEMO_SOURCE)/source.png --poses $(DEMO_SOURCE)/cam01_keypoints --fps 60 \
		--video $(DEMO_SOURCE)/cam01.mp4
	$(BIN) config $(DEMO).tmp render.weights pose2sim-demo/weights/bdmm-demo.safetensors
	$(BIN) config $(DEMO).tmp render.size 256x128
	$(BIN) config $(DEMO).tmp render.background plate
	$(BIN) config $(DEMO).tmp render.normalise false
	mv $(DEMO).tmp $(DEMO)

# The studio on the demo project (q quits; every edit is already in the file).
demo: release $(DEMO)
	$(BIN) open $(DEMO)

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

# The generator race: the PyTorch reference (Tools/torch_reference) against `posestudio bench render` on the
# same weights, inputs and thread count; last line `ratio torch/swift = R`. A benchmark tool only: torch is
# installed here when missing (the +cpu wheel is served through pip's find-links), never by `make test`.
BENCH_THREADS ?= 2
BENCH_ARGS ?=
.PHONY: bench-render
bench-render: release
	@python3 -c "import torch" 2>/dev/null || python3 -m pip install --find-links /opt/wheels "torch==2.13.0+cpu"
	python3 Tools/torch_reference/bench.py --threads $(BENCH_THREADS) $(BENCH_ARGS)

# Fuzzes every reader of outside bytes (scripts/fuzz.sh; Tests/Fuzz): FUZZ_SECONDS per target (default
# 60), FUZZ_JOBS at a time, FUZZ_TARGETS to pick some. Not part of `make test`, which replays the
# inputs that once broke a reader (Tests/Fixtures/fuzz-regressions).
.PHONY: fuzz
fuzz: bootstrap
	bash scripts/fuzz.sh

# Trains the demo's generator from scratch (scripts/train-demo.sh: datasets of three camera views,
# then Tools/train on CPU, resumable; TRAIN_STEPS, TRAIN_HOURS, TRAIN_THREADS, TRAIN_DIR). Like
# bench-render, it installs torch when missing; `make test` never does.
.PHONY: train-demo
train-demo: release
	@python3 -c "import torch" 2>/dev/null || python3 -m pip install --find-links /opt/wheels "torch==2.13.0+cpu"
	bash scripts/train-demo.sh
