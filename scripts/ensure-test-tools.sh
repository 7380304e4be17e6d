#!/usr/bin/env bash
# The tests use real tools: git, ssh-keygen and gpg to build signed repositories, and poppler's
# pdftotext/pdfinfo/pdftoppm to read the PDFs back, GNU time to measure the CLI's peak memory, openssl
# to re-perform a sample the way an auditor would.
# Installs what is missing when it can (root with apt-get); otherwise says exactly what to install.
set -euo pipefail
declare -A pkg=([git]=git [ssh-keygen]=openssh-client [gpg]=gnupg [pdftotext]=poppler-utils [pdfinfo]=poppler-utils [pdftoppm]=poppler-utils [chromium]=chromium [openssl]=openssl)
missing=()
for tool in "${!pkg[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg[$tool]}")
done
# By path: `command -v time` finds the shell's keyword, which cannot report memory.
[ -x /usr/bin/time ] || missing+=(time)
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test tools: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "the tests need: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
