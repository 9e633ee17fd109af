# Shared by scripts/demo and scripts/check: install what trainer-app needs on Debian/Ubuntu.
# Idempotent: packages already present are not fetched again; the venv is reused.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${TRAINER_APP_VENV:-$REPO/.venv}"

# Qt's xcb/offscreen platforms, fonts, PDF rendering (pdftoppm) and QR decoding (zbarimg).
DEBIAN_PACKAGES=(
  python3-venv libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-render-util0 libxcb-image0 libxcb-randr0 libxcb-xinerama0 libx11-xcb1
  poppler-utils zbar-tools e2fsprogs
  postgresql  # the tests start a real server of their own (tests/helpers/postgres.py)
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_debian_packages() {
  command -v dpkg-query >/dev/null || { say "Not Debian: install the equivalents of ${DEBIAN_PACKAGES[*]} yourself"; return 0; }
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "Missing Debian packages (run as root): ${missing[*]}"; return 1; }
    sudo="sudo"
  fi
  say "Installing Debian packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in $VENV"
    python3 -m venv "$VENV"
  fi
  say "Installing trainer-app[$extras] and its dependencies"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e "$REPO[$extras]"
}
