import { randomBase62 } from './base62.js';
import { ID_PREFIXES, ID_RANDOM_LENGTH, type IdKind } from './id-shape.js';

export { ID_PREFIXES, looksLikeId, type IdKind } from './id-shape.js';

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(ID_RANDOM_LENGTH)}`;
}
