/**
 * Path parameters as exactly one path segment each. Values come from the address bar, the command line and
 * the server: pasted into a path as they are, `acme/service-accounts` or `..` would reach another endpoint.
 */

/**
 * One path segment. Empty, `.` and `..` are refused: encodeURIComponent leaves dots alone, and URL parsers
 * resolve `.`/`..` segments (spelt `%2E` too) before sending, so no encoding keeps them one segment.
 */
export function pathSegment(value: string | number): string {
  const s = String(value);
  if (s === '' || s === '.' || s === '..') throw new Error(`Not a valid path segment: "${s}"`);
  return encodeURIComponent(s);
}

const PARAM = /\{([^{}]+)\}/g;

/**
 * openapi-fetch's pathSerializer: each `{name}` of the path template becomes `pathSegment(value)`. Its
 * default encodes with encodeURIComponent too but lets '', '.' and '..' through; a missing value is refused
 * instead of leaving `{name}` in the URL.
 */
export function segmentPathSerializer(pathname: string, pathParams: Record<string, unknown>): string {
  return pathname.replace(PARAM, (match, name: string) => {
    const value = pathParams[name];
    if (value === undefined || value === null) return match;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`Path parameter ${name} must be a string or a number`);
    return pathSegment(value);
  });
}
