#!/usr/bin/env bash
# Installs the Debian packages posestudio needs to build, run and test, and nothing else.
# Idempotent: when every package is present it does no network access at all (no apt-get update).
# Works as root; otherwise uses sudo when it is available.
set -euo pipefail

PACKAGES=(
  pkgconf                       # SwiftPM finds chafa/OpenBLAS include paths through pkg-config
  libncurses-dev ncurses-term   # the studio's terminal; ncurses-term has tmux-direct/xterm-direct
  libopenblas-dev               # the generator's GEMMs
  libavcodec-dev libavformat-dev libswscale-dev libavutil-dev   # decode and MP4 export
  libchafa-dev libglib2.0-dev   # terminal previews; chafa's headers need glib's, not pulled in
  libsqlite3-dev                # the .bdmm project file (GRDB links the system SQLite)
  ffmpeg tmux                   # tests: ffprobe, and driving the studio in a real terminal
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
