/**
 * Permissions are `resource:action` with the actions `view` and `edit`, and `edit` implies `view`. The
 * server decides with this rule and the console previews with it (what a token keeps when it moves to
 * another owner's role), so both read it from here.
 */
export function expandPermissions(list: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of list) {
    out.add(p);
    if (p.endsWith(':edit')) out.add(`${p.slice(0, -':edit'.length)}:view`);
  }
  return [...out].sort();
}
