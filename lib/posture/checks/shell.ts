/** Shell prologues shared by probe snippets (each snippet runs in its own `sh -c`). */

/** A missing tool is exit 127 and a line naming it, so evaluate tells "absent" from "failed". */
export const NEED = `need() { command -v "$1" >/dev/null 2>&1 || { echo "$1: not installed"; exit 127; }; }
`;

/**
 * For what needs root: as root run it, else through `sudo -n` when that works without a
 * password, else as is so the tool itself says why it cannot. /usr/sbin is missing from a
 * non-root PATH on Debian.
 */
export const AS_ROOT = `PATH="$PATH:/usr/sbin:/sbin"
asroot() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"; else "$@"; fi; }
${NEED}`;
