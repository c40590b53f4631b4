#!/usr/bin/env bash
# scripts/ensure-deps.sh — make sure embedlab's build and test dependencies are present.
#
# Checks the C libraries with pkg-config and the test tools with dpkg. When something is
# missing and we are root (or have passwordless sudo), installs it with apt-get; otherwise
# prints the one apt-get command to run and fails. Nothing is installed when all is there.
set -u

C_PACKAGES=(libreadline-dev libzmq3-dev libjansson-dev libsodium-dev libcmocka-dev pkg-config)
PKGCONFIG_MODULES=(readline libzmq jansson libsodium cmocka)
# Debian Python packages the integration tests drive the binaries with.
PY_PACKAGES=(python3 python3-jupyter-client python3-nbclient python3-nbformat jupyter-console
             python3-pexpect python3-ipykernel)
TOOLS=(gcc make)

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
for tool in "${TOOLS[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if command -v pkg-config >/dev/null 2>&1; then
    for i in "${!PKGCONFIG_MODULES[@]}"; do
        pkg-config --exists "${PKGCONFIG_MODULES[$i]}" 2>/dev/null || missing+=("${C_PACKAGES[$i]}")
    done
else
    missing+=("${C_PACKAGES[@]}")
fi
for pkg in "${PY_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$pkg")
done

# Deduplicate, keep order.
declare -A seen=()
todo=()
for pkg in "${missing[@]}"; do
    [ -n "${seen[$pkg]:-}" ] && continue
    seen[$pkg]=1
    todo+=("$pkg")
done
[ ${#todo[@]} -eq 0 ] && exit 0

echo "embedlab: missing build/test dependencies: ${todo[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "embedlab: please run:"
    echo "  sudo apt-get update && sudo apt-get install -y ${todo[*]}"
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "embedlab: installing with apt-get"
"${SUDO[@]}" apt-get update -q >/dev/null || { echo "embedlab: apt-get update failed"; exit 1; }
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${todo[@]}" >/dev/null ||
    { echo "embedlab: apt-get install failed; run: apt-get install -y ${todo[*]}"; exit 1; }
echo "embedlab: dependencies installed"
