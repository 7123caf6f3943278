/**
 * Who a valid token speaks for: what the server's verifier decides and what the middleware hands a
 * handler. `P` narrows the permission strings (the server's `resource:action` type).
 */
export interface TokenIdentity<P extends string = string> {
  org: { id: string; slug: string };
  tokenId: string;
  owner: { type: 'service_account' | 'user'; id: string; name: string };
  type: 'public' | 'private';
  permissions: P[];
}
