/**
 * The host side of gateway discovery: plain POSIX sh over /proc (no ss, lsof or node needed),
 * so it runs on any Linux host. It prints facts only: the listening sockets on the port, the
 * processes that own them and their ancestors. Command lines and cgroups are base64 (they may
 * hold any byte); of the environment only names leave the host, plus the values of a short
 * allowlist of path and supervisor variables that are never secrets.
 *
 * $1 gateway port, $2 respond's pidfile for this state dir.
 */
export const ENV_VALUE_ALLOWLIST = [
  'HOME',
  'USER',
  'OPENCLAW_STATE_DIR',
  'OPENCLAW_CONFIG_PATH',
  'OPENCLAW_PROFILE',
  'OPENCLAW_HOME',
  'CLAWDBOT_STATE_DIR',
  'CLAWDBOT_CONFIG_PATH',
  'SUPERVISOR_PROCESS_NAME',
  'SUPERVISOR_GROUP_NAME',
  'SUPERVISOR_SERVER_URL',
  'PM2_HOME',
  'pm_id',
  'INVOCATION_ID',
  'XDG_RUNTIME_DIR',
] as const;

export const DISCOVER_GATEWAY = `
port="$1"; pidf="$2"
hex=$(printf '%04X' "$port")
inodes=""
for f in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$f" ] || continue
  for l in $(awk -v p="$hex" 'NR>1 { n=split($2,a,":"); if (a[n]==p && $4=="0A") print a[1] "," $10 }' "$f"); do
    printf 'listen=%s\\n' "$l"
    inodes="$inodes \${l#*,}"
  done
done
[ -f "$pidf" ] && printf 'pidfile=%s\\n' "$(cat "$pidf" 2>/dev/null)"
[ -z "$inodes" ] && exit 0
expr=""
for i in $inodes; do
  [ "$i" = 0 ] && continue
  if [ -z "$expr" ]; then expr="-lname socket:\\[$i\\]"; else expr="$expr -o -lname socket:\\[$i\\]"; fi
done
[ -z "$expr" ] && exit 0
owners=$(find /proc/[0-9]*/fd -maxdepth 1 \\( $expr \\) 2>/dev/null | cut -d/ -f3 | sort -un)
[ -z "$owners" ] && { echo 'owners=unreadable'; exit 0; }
seen=" "
envsel='^(${ENV_VALUE_ALLOWLIST.join('|')})='
for o in $owners; do
  printf 'owner=%s\\n' "$o"
  p="$o"; depth=0
  while [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != 1 ] && [ $depth -lt 16 ]; do
    case "$seen" in *" $p "*) break;; esac
    seen="$seen$p "
    [ -r "/proc/$p/status" ] || break
    pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status")
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$p/status")
    printf '@proc %s\\n' "$p"
    printf 'ppid=%s\\nuid=%s\\n' "$pp" "$uid"
    printf 'user=%s\\n' "$(awk -F: -v u="$uid" '$3==u {print $1; exit}' /etc/passwd 2>/dev/null)"
    printf 'comm=%s\\n' "$(cat "/proc/$p/comm" 2>/dev/null)"
    printf 'exe=%s\\n' "$(readlink "/proc/$p/exe" 2>/dev/null)"
    printf 'cwd=%s\\n' "$(readlink "/proc/$p/cwd" 2>/dev/null)"
    printf 'argv=%s\\n' "$(base64 -w0 < "/proc/$p/cmdline" 2>/dev/null)"
    printf 'cgroup=%s\\n' "$(base64 -w0 < "/proc/$p/cgroup" 2>/dev/null)"
    printf 'pgid_sid=%s\\n' "$(awk '{ sub(/^.*\\) /, ""); print $3 "," $4 }' "/proc/$p/stat" 2>/dev/null)"
    if [ -r "/proc/$p/environ" ]; then
      printf 'envkeys=%s\\n' "$(tr '\\0' '\\n' < "/proc/$p/environ" | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | tr '\\n' ' ')"
      tr '\\0' '\\n' < "/proc/$p/environ" | grep -E "$envsel" | sed 's/^/env./'
    else
      echo 'envkeys=unreadable'
    fi
    p="$pp"; depth=$((depth+1))
  done
done
`;

/**
 * The cheap part of discovery, for every host activity: the environment of whatever serves
 * `$gwport`, as `proc.NAME=value` lines for the path variables only, and which OpenClaw state
 * dirs exist under that process's HOME. Expects `gwport` to be set.
 */
export const GATEWAY_ENV_FRAGMENT = `
if [ -n "$gwport" ]; then
  ghex=$(printf '%04X' "$gwport"); gexpr=""
  for gi in $(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$ghex" '{ n=split($2,a,":"); if (a[n]==p && $4=="0A") print $10 }'); do
    [ "$gi" = 0 ] && continue
    if [ -z "$gexpr" ]; then gexpr="-lname socket:\\\\[$gi\\\\]"; else gexpr="$gexpr -o -lname socket:\\\\[$gi\\\\]"; fi
  done
  if [ -n "$gexpr" ]; then
    gpid=$(find /proc/[0-9]*/fd -maxdepth 1 \\( $gexpr \\) 2>/dev/null | head -n 1 | cut -d/ -f3)
    # Only an OpenClaw process's view counts (a container runtime's conmon holds a cell's port).
    case "$(cat "/proc/$gpid/comm" 2>/dev/null)" in openclaw*|clawdbot*|moltbot*|node) ;; *) gpid="";; esac
    if [ -n "$gpid" ] && [ -r "/proc/$gpid/environ" ]; then
      tr '\\0' '\\n' < "/proc/$gpid/environ" | grep -E '^(HOME|OPENCLAW_STATE_DIR|OPENCLAW_CONFIG_PATH|OPENCLAW_PROFILE|CLAWDBOT_STATE_DIR|CLAWDBOT_CONFIG_PATH)=' | sed 's/^/proc./'
      ghome=$(tr '\\0' '\\n' < "/proc/$gpid/environ" | sed -n 's/^HOME=//p' | head -n 1)
      [ -n "$ghome" ] && for d in .openclaw .clawdbot .moltbot .moldbot; do [ -e "$ghome/$d" ] && printf 'proc_dir=%s\\n' "$d"; done
    fi
  fi
fi
`;
