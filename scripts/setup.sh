#!/usr/bin/env bash
# Set up everything the book needs, once: .venv with Python >= 3.12, the pinned requirements
# and the local package, and the system tools (Graphviz's dot; with --with-browser, Debian's
# Chromium, its driver and an emoji font for the page checks and screenshots).
# Re-running it with nothing changed is instant.
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=0
[[ "${1:-}" == "--with-browser" ]] && with_browser=1

venv=.venv
stamp="$venv/.installed"

is_recent_python() {
  "$1" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local cand
  for cand in "${PYTHON:-}" python3.12 python3.13 python3 \
              "$HOME"/.pyenv/versions/3.12*/bin/python /usr/local/bin/python3.12 /usr/bin/python3.12; do
    [[ -n "$cand" ]] || continue
    command -v "$cand" >/dev/null 2>&1 || [[ -x "$cand" ]] || continue
    if is_recent_python "$cand"; then echo "$cand"; return 0; fi
  done
  return 1
}

apt_install() {  # apt_install PACKAGE... : only as root on a Debian-like system
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $* with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "setup: error: $* missing and cannot be installed here (needs root and apt-get);" \
         "install it with your system's package manager" >&2
    exit 1
  fi
}

# 1. System tools.
command -v dot >/dev/null 2>&1 || apt_install graphviz
if (( with_browser )); then
  { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
    && fc-list 2>/dev/null | grep -qi "color emoji"; } \
    || apt_install chromium chromium-driver fonts-noto-color-emoji
fi

# 2. The virtual environment.
if [[ ! -x "$venv/bin/python" ]] || ! is_recent_python "$venv/bin/python"; then
  python=$(find_python) || {
    echo "setup: error: no Python >= 3.12 found (tried \$PYTHON, python3.12, python3.13, python3," \
         "~/.pyenv/versions/3.12*). Install Python 3.12, or point PYTHON at one: make PYTHON=/path/to/python3.12 book" >&2
    exit 1
  }
  echo "setup: creating $venv with $python ($("$python" --version))"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi

# 3. Pinned requirements and the local package, again only when they changed.
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing the pinned requirements into $venv (a few minutes the first time)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
