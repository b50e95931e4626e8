#!/usr/bin/env bash
# Create .venv (Python 3.12) in the repository root if missing and install briefroom into it.
# Safe to run any number of times: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    for candidate in "${BRIEFROOM_PYTHON:-}" /root/.pyenv/versions/3.12.*/bin/python3.12 \
        "$(command -v python3.12 || true)" "$HOME"/.pyenv/versions/3.12.*/bin/python3.12; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    PYTHON=$(find_python) || {
        echo "briefroom needs Python 3.12 (set BRIEFROOM_PYTHON to its path)" >&2
        exit 1
    }
    echo "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi

stamp=".venv/.briefroom-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade "pip>=25.1"
    # llama-cpp-python builds from source; the default build uses CPU instructions (AMX) that
    # fault on some VMs, so pin a portable instruction set. pip's wheel cache keeps the build.
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
    .venv/bin/python -m pip install --quiet -e ".[llm]" --group dev
    rm -f .venv/.briefroom-*
    touch "$stamp"
fi
