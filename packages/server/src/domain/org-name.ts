/**
 * Org names appear in the console, in the audit log and in invitation e-mails sent from the deployment's
 * own address, so they are one line of ordinary text: letters, marks, digits, punctuation, symbols and
 * plain spaces. Control characters, line and paragraph separators, and every invisible "format"
 * character — bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E/F, U+061C),
 * zero-width characters, the BOM — are refused: they let a name hide or reorder text around it.
 */
export const ORG_NAME_MAX_LENGTH = 64;

export const ORG_NAME_RULE = `An org name is one line of 1 to ${ORG_NAME_MAX_LENGTH} characters: letters, digits, spaces, punctuation and symbols, with no control, invisible or text-direction characters.`;

// Only U+0020 as a space: other spaces (no-break, ideographic, …) are as invisible as they are rare here.
const ALLOWED = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u;

export type OrgNameCheck = { ok: true; name: string } | { ok: false; message: string };

/** Validates an org name; the accepted `name` is NFC-normalised with surrounding spaces removed. */
export function checkOrgName(input: string): OrgNameCheck {
  const name = input.normalize('NFC').replace(/^ +| +$/g, '');
  const length = [...name].length;
  if (length < 1 || length > ORG_NAME_MAX_LENGTH || !ALLOWED.test(name) || /^\p{M}/u.test(name)) {
    return { ok: false, message: ORG_NAME_RULE };
  }
  return { ok: true, name };
}
