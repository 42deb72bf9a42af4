#!/usr/bin/env bash
# Install the Debian packages the build, the tests and the benchmark need.
# Idempotent: only missing packages are installed, `apt-get update` runs at
# most once per invocation and only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libpcap-dev libndpi-dev libndpi-bin libmaxminddb-dev
  libyaml-dev libpcre2-dev libhyperscan-dev libhiredis-dev libssl-dev
  libcmocka-dev
  tshark python3 python3-scapy
  redis-server openssl
  time iproute2 tcpreplay
  libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
