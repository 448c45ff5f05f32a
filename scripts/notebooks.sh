#!/bin/sh
# Getting started with the course notebooks (GoNB kernel for Jupyter).
#
#   scripts/notebooks.sh          install the GoNB kernel and goimports from the
#                                 versions pinned in go.mod, then open the notebooks
#   scripts/notebooks.sh install  only install the kernel
#   scripts/notebooks.sh run      execute every notebook headless into notebooks/out/
#   scripts/notebooks.sh clean    remove outputs from the notebooks before committing
#
# Needs Go and Jupyter. Jupyter, when missing:
#   Debian/Ubuntu: sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient
#   elsewhere:     pip install notebook nbconvert
set -eu
cd "$(dirname "$0")/.."

if ! command -v jupyter >/dev/null 2>&1; then
	cat >&2 <<'MSG'
jupyter not found. Install it first:
  Debian/Ubuntu: sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient
  elsewhere:     pip install notebook nbconvert
MSG
	exit 1
fi

# gonb and goimports, at the versions in go.mod's tool directives, go into
# GOBIN (default: $(go env GOPATH)/bin). The kernel needs goimports on PATH.
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
PATH="$gobin:$PATH"
export PATH

install_kernel() {
	echo "installing gonb and goimports into $gobin"
	go install tool
	# --force_deps: gopls (code completion) is optional.
	gonb --install --force_deps
}

case "${1:-open}" in
open)
	install_kernel
	echo "opening the notebooks; keep $gobin on PATH when you start jupyter yourself"
	exec jupyter notebook notebooks/
	;;
install)
	install_kernel
	;;
run)
	install_kernel
	mkdir -p notebooks/out
	for nb in notebooks/[0-9]*.ipynb; do
		echo "== $nb"
		start=$(date +%s)
		# DIFFTOY_STATIC: no page moves the sliders here; interactive cells draw once.
		DIFFTOY_STATIC=1 jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
			--output-dir notebooks/out "$nb"
		echo "   $(($(date +%s) - start)) s"
	done
	;;
clean)
	jupyter nbconvert --clear-output --inplace notebooks/[0-9]*.ipynb
	;;
*)
	echo "usage: $0 [open|install|run|clean]" >&2
	exit 2
	;;
esac
