import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent (issue 16, SSRF). An endpoint URL is `https://` unless the deployment allows
 * insecure targets (LATCHKEY_WEBHOOKS_ALLOW_INSECURE, for tests and internal networks: then `http://` and
 * loopback or private addresses too). Link-local and cloud-metadata addresses are refused always. The
 * address rule is applied to the URL when an endpoint is saved and again, at delivery time, to every
 * address its host name resolves to (webhooks/send.ts): a name that resolved to a public address when
 * it was saved may point at 169.254.169.254 later.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Metadata services that sit outside the link-local ranges. */
const METADATA_ADDRESSES = new Set([
  'fd00:ec2::254', // AWS IMDS over IPv6
  '100.100.100.200', // Alibaba Cloud
]);

/** ipaddr.js ranges only insecure deployments may send to. */
const INTERNAL_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/** May a webhook be delivered to this (resolved) address? */
export function checkWebhookAddress(address: string, allowInsecure: boolean): AddressVerdict {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process(): an IPv4-mapped IPv6 address is judged as the IPv4 address it is.
    addr = ipaddr.process(address.replace(/%.*$/, ''));
  } catch {
    return { ok: false, reason: `${address} is not an IP address` };
  }
  const text = addr.toString();
  if (METADATA_ADDRESSES.has(text)) return { ok: false, reason: `${text} is a cloud metadata address` };
  // IPv6 forms that carry an IPv4 address some stacks still route as IPv4: IPv4-compatible (::/96, e.g.
  // ::a9fe:a9fe is 169.254.169.254) and IPv4-translated (::ffff:0:0/96). Never a webhook receiver.
  if (addr.kind() === 'ipv6') {
    const parts = (addr as ipaddr.IPv6).parts;
    const compatible = parts.slice(0, 6).every((p) => p === 0) && parts[6] !== 0; // not :: or ::1
    const translated = parts.slice(0, 4).every((p) => p === 0) && parts[4] === 0xffff && parts[5] === 0;
    if (compatible || translated) return { ok: false, reason: `${text} is an IPv6 form of an IPv4 address` };
  }
  const range = addr.range();
  if (range === 'unicast') return { ok: true };
  if (allowInsecure && INTERNAL_RANGES.has(range)) return { ok: true };
  if (range === 'linkLocal')
    return { ok: false, reason: `${text} is link-local (cloud metadata lives there)` };
  return {
    ok: false,
    reason: INTERNAL_RANGES.has(range)
      ? `${text} is an internal address (${range}); allowed only with LATCHKEY_WEBHOOKS_ALLOW_INSECURE=true`
      : `${text} is not a routable unicast address (${range})`,
  };
}

export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

/** Checks an endpoint URL as an admin typed it; the normalised URL (WHATWG) on success. */
export function checkWebhookUrl(input: string, allowInsecure: boolean): UrlVerdict {
  if (input.length > MAX_WEBHOOK_URL_LENGTH)
    return { ok: false, reason: `longer than ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:'))
    return {
      ok: false,
      reason: allowInsecure
        ? 'must be http:// or https://'
        : 'must be https:// (http:// needs LATCHKEY_WEBHOOKS_ALLOW_INSECURE=true)',
    };
  if (url.username || url.password) return { ok: false, reason: 'must not carry a user name or password' };
  if (url.hash) return { ok: false, reason: 'must not have a #fragment' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const verdict = checkWebhookAddress(host, allowInsecure);
    if (!verdict.ok) return verdict;
  } else if (!allowInsecure && (host === 'localhost' || host.endsWith('.localhost'))) {
    return { ok: false, reason: 'localhost is allowed only with LATCHKEY_WEBHOOKS_ALLOW_INSECURE=true' };
  }
  return { ok: true, url: url.toString() };
}
