/**
 * API paths with every interpolated value encoded as exactly one path segment. Route parameters come
 * decoded from the address bar (`/orgs/acme%2Fservice-accounts/…` gives the org `acme/service-accounts`)
 * and ids come from the server: pasted into a path as they are, they would reach a different endpoint.
 * `api()` takes only an `ApiPath`, so a path built any other way does not type-check.
 */
declare const brand: unique symbol;
export type ApiPath = string & { readonly [brand]: 'ApiPath' };

/**
 * One path segment. Empty, `.` and `..` are refused: encodeURIComponent leaves dots alone, and browsers
 * resolve `.`/`..` segments (spelt `%2E` too) before sending, so no encoding keeps them one segment.
 */
export function pathSegment(value: string | number): string {
  const s = String(value);
  if (s === '' || s === '.' || s === '..') throw new Error(`Not a valid path segment: "${s}"`);
  return encodeURIComponent(s);
}

/** `apiPath\`/orgs/${org}/tokens/${id}\`` → `/orgs/<org encoded>/tokens/<id encoded>`. */
export function apiPath(strings: TemplateStringsArray, ...values: (string | number)[]): ApiPath {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += pathSegment(value) + strings[i + 1]!;
  });
  return out as ApiPath;
}

/** The path with a query string (already built with URLSearchParams); an empty query adds nothing. */
export function withQuery(path: ApiPath, query: URLSearchParams | string): ApiPath {
  const q = query.toString();
  return (q === '' ? path : `${path}?${q}`) as ApiPath;
}
