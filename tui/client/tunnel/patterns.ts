/**
 * OpenSSH's host patterns, shared by ssh_config `Host` lines and known_hosts host fields: `*` and
 * `?` wildcards, case-insensitive, and `!pattern` to exclude. A negated match wins over any
 * positive one, which is how `Host * !bastion` excludes a single host.
 */
export function matchGlob(pattern: string, text: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(text.toLowerCase());
}

export function matchPatternList(patterns: readonly string[], text: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchGlob(pattern.slice(1), text)) return false;
    } else if (matchGlob(pattern, text)) {
      matched = true;
    }
  }
  return matched;
}
