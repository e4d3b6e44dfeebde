#!/usr/bin/env bash
# Prints the path of a CPython 3.13 interpreter, building one first if needed.
#
# The machines ship Python 3.11 only, and Django 6.x needs 3.12 or newer. The interpreter is
# built from Debian 13's (trixie) python3.13 source package, fetched with apt through a
# throw-away source list (no system apt source is changed), into $PYTHON313_PREFIX
# (default /opt/python3.13). An existing, working build there is reused as it is.
# Build time here: about 4 minutes on two idle cores, up to 13 on busy ones.
# All build output goes to stderr; stdout carries only the interpreter's path.
set -euo pipefail
prefix=${PYTHON313_PREFIX:-/opt/python3.13}
python="$prefix/bin/python3.13"

usable() { "$1" -c 'import ssl, sqlite3, ctypes, zlib, lzma, bz2, venv' >/dev/null 2>&1; }

if [ -x "$python" ] && usable "$python"; then
  echo "$python"
  exit 0
fi

{
  echo "tools/python313.sh: building CPython 3.13 into $prefix (several minutes)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The headers the standard library's C modules need, from Debian's packages.
  export DEBIAN_FRONTEND=noninteractive
  need=(build-essential libssl-dev libsqlite3-dev libffi-dev zlib1g-dev liblzma-dev libbz2-dev
        libreadline-dev libgdbm-dev uuid-dev xz-utils)
  missing=()
  for pkg in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # A private source list pointing at the mirror this machine already uses, suite trixie.
  mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk 'NR==1 {print $2}')
  if [ -z "$mirror" ]; then
    mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  fi
  mkdir -p "$work/lists/partial"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' \
    "$mirror" >"$work/sources.list"
  apt=(apt-get -o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=-
       -o "Dir::State::Lists=$work/lists")
  "${apt[@]}" update -qq
  (cd "$work" && "${apt[@]}" source --download-only python3.13 >/dev/null)
  tar -C "$work" -xJf "$work"/python3.13_*.orig.tar.xz
  cd "$work"/Python-3.13.*
  ./configure --prefix="$prefix" --with-ensurepip=install >"$work/configure.log" 2>&1 \
    || { tail -n 40 "$work/configure.log"; exit 1; }
  make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log"; exit 1; }
  make altinstall >"$work/install.log" 2>&1 || { tail -n 40 "$work/install.log"; exit 1; }
  usable "$python" || { echo "the built python3.13 lacks a standard module" ; exit 1; }
  echo "tools/python313.sh: built $("$python" --version)"
} >&2
echo "$python"
