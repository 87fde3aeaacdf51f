# Sourced by scripts/serve and scripts/test: create or reuse .venv with Python 3.13+ and
# install the project whenever pyproject.toml changes. $1: "base", or the extras to add ("dev").
set -euo pipefail

_python_candidates() {
    echo "${AGORA_PYTHON:-}"
    echo python3.14
    echo python3.13
    local root
    for root in "$(pyenv root 2>/dev/null)" "${HOME:-}/.pyenv"; do
        [ -n "$root" ] && ls -d "$root"/versions/3.1[3-9]*/bin/python 2>/dev/null || true
    done
    echo python3
}

_find_python() {
    local candidate
    while read -r candidate; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done < <(_python_candidates)
    if command -v uv >/dev/null 2>&1; then
        echo "no Python 3.13 here: installing one with uv" >&2
        uv python install 3.13 >&2 && uv python find 3.13 && return 0
    fi
    echo "Agora needs Python 3.13 or newer: install it (with uv, pyenv or your system's packages), or set AGORA_PYTHON to its path." >&2
    return 1
}

extras="${1:?usage: source scripts/_venv.sh base|EXTRAS}"
[ "$extras" = base ] && extras=""
if [ ! -x .venv/bin/python ]; then
    python="$(_find_python)"
    echo "creating .venv with $python" >&2
    "$python" -m venv .venv
fi

stamp_prefix=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
# The dev install is a superset of the plain one.
if [ ! -f "$stamp_prefix-${extras:-base}" ] && { [ -n "$extras" ] || [ ! -f "$stamp_prefix-dev" ]; }; then
    spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    echo "installing dependencies into .venv (a minute on first run)" >&2
    if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" \
        >.venv/pip.log 2>&1; then
        grep -v "is ignored: it is neither a file nor a directory" .venv/pip.log >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp_prefix-${extras:-base}"
fi
