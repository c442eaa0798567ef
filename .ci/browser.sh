#!/usr/bin/env bash
# Browser tests: JupyterLab in headless Chromium driven by Playwright (tests/browser/), and the
# offline HTML book (python -m coursekit book, then tests/browser/test_book.py on every page).
#   .ci/browser.sh [VENV]        (VENV defaults to .venv, the one .ci/run creates)
# Installs Debian's chromium with apt if it is missing (needs root or sudo) and playwright into
# VENV (never `playwright install`: it downloads a browser, which fails offline; the tests start
# /usr/bin/chromium themselves), then runs the browser tests. Here a missing browser is an error,
# not a skip. Exits non-zero when a test fails. Screenshots and latencies: tests/browser/output/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
py="$venv/bin/python"
[ -x "$py" ] || { echo "no Python at $py (create the venv first, e.g. with .ci/run)" >&2; exit 2; }

if [ -z "${COURSEKIT_CHROMIUM:-}" ] && ! [ -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
    echo "== installing chromium (apt)"
    start=$SECONDS
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "chromium is missing and neither root nor sudo is available: apt-get install -y chromium" >&2; exit 2
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    echo "(chromium: $((SECONDS - start)) s)"
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "== installing npm (apt; the book fetches MathJax from the npm registry once)"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "npm is missing and neither root nor sudo is available: apt-get install -y npm" >&2; exit 2
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
fi

if ! "$py" -c "import jupyter_book" 2>/dev/null; then
    echo "== installing the [book] extra (Jupyter Book 1) into $venv"
    "$py" -m pip install --quiet -e ".[book]"
fi

if ! "$py" -c "import playwright.sync_api" 2>/dev/null; then
    echo "== installing playwright into $venv"
    if grep -qE '^browser *= *\[' pyproject.toml; then
        "$py" -m pip install --quiet -e ".[browser]"
    else
        "$py" -m pip install --quiet "playwright>=1.40"
    fi
fi

echo "== the offline HTML book (python -m coursekit book)"
start=$SECONDS
"$py" -m coursekit book
echo "(book: $((SECONDS - start)) s, $(du -sh build/book | cut -f1) in build/book/)"

echo "== browser tests (JupyterLab + headless Chromium; the book with the network cut off)"
start=$SECONDS
COURSEKIT_BROWSER_TESTS=1 COURSEKIT_BROWSER_REQUIRED=1 "$py" -m pytest tests/browser -m browser -q -rs -p no:cacheprovider
echo "(browser tests: $((SECONDS - start)) s)"
