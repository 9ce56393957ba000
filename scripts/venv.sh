# Sourced by scripts/start, scripts/test and scripts/lint: make .venv (first run, or when
# pyproject.toml changed) with the given extras. Usage: ensure_venv "" .installed
ensure_venv() {
  local extras="$1" marker=".venv/$2" py="${PYTHON:-python3}"
  if [ ! -f "$marker" ] || [ pyproject.toml -nt "$marker" ]; then
    "$py" -m venv .venv
    echo "Setting up .venv (first run; pip's log in .venv/install.log)…" >&2
    .venv/bin/pip install --quiet --upgrade pip >.venv/install.log 2>&1 || { cat .venv/install.log; exit 1; }
    .venv/bin/pip install --quiet -e ".${extras}" >>.venv/install.log 2>&1 || { cat .venv/install.log; exit 1; }
    touch "$marker"
  fi
}
