/**
 * The invitation e-mail, sent from the deployment's own address. It carries no free text from users:
 * only names (org, role, inviter), each quoted and escaped, in a fixed message — so an org name cannot
 * turn it into someone else's message (a fake security alert, a link to click, text hidden or
 * reordered by bidi controls).
 */

const ESCAPED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]|(?! )\p{Zs}/u;

/**
 * `text` in double quotes, with `"` and `\` escaped, every control, invisible, separator or unassigned
 * character written as `\u{…}`, and cut to `max` characters (marked with `…`).
 */
export function quoteName(text: string, max = 64): string {
  const chars = [...text];
  const shown = chars.slice(0, max).map((c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    return ESCAPED.test(c) ? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}` : c;
  });
  return `"${shown.join('')}${chars.length > max ? '…' : ''}"`;
}

export function invitationEmail(i: {
  publicUrl: string;
  orgName: string;
  roleName: string;
  inviter: string;
  link: string;
  expiresAt: string;
}): { subject: string; text: string } {
  return {
    subject: 'Your invitation to an organization on Latchkey',
    text: [
      `You have been invited to join an organization on the Latchkey at ${i.publicUrl}.`,
      '',
      `  Organization: ${quoteName(i.orgName)}`,
      `  Role:         ${quoteName(i.roleName)}`,
      `  Invited by:   ${quoteName(i.inviter, 254)}`,
      '',
      'The quoted names were chosen by users of this Latchkey, not by its operators.',
      '',
      `To accept, open this single-use link (it expires ${i.expiresAt}):`,
      i.link,
      '',
      'If you did not expect this invitation, ignore this message: nothing happens unless the link is opened.',
      '',
    ].join('\n'),
  };
}
