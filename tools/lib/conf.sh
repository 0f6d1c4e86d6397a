# tools/lib/conf.sh: read conf/vm.conf as every tool does (sourced by tools/run-vm and
# tools/lib/vm.sh).
#   conf_load FILE KEY...  set each KEY from FILE (shell syntax, KEY=value), unless the
#                          environment holds a non-empty KEY already: the environment
#                          overrides the file key by key. An empty variable counts as unset
#                          (make passes VIRTIO_QUEUES= when the user gave none). Only the
#                          KEYs named are set; a KEY FILE does not set becomes empty.
# shellcheck shell=bash

conf_load() {
	local file=$1 key
	shift
	[ -f "$file" ] || { echo "conf_load: no $file" >&2; return 1; }
	for key in "$@"; do
		[ -n "${!key:-}" ] && continue
		# The file is sourced in a subshell: it sets nothing here but the KEY asked for.
		# shellcheck disable=SC1090
		printf -v "$key" '%s' "$(. "$file" && printf '%s' "${!key:-}")"
	done
}
