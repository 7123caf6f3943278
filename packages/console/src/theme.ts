import { createTheme, InputWrapper, Modal, type CSSVariablesResolver } from '@mantine/core';

/**
 * The console's look, held to WCAG 2.1 AA contrast (issue 17 item 14): Mantine's defaults put white text on
 * indigo 6 (4.32:1), grey secondary text at 3.32:1, red error text at 3.28:1 and white on a green badge at
 * 2.36:1; every one of them needs 4.5:1.
 */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Filled buttons, badges and links use shade 8 of their colour: white on indigo 8 is 5.67:1, red 8 4.51:1.
  primaryShade: 8,
  // On colours no shade of which holds white text (green, teal, orange, yellow …) the text turns black. At
  // this luminance white and black have the same contrast (4.58:1): the better of the two is always ≥ 4.5.
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: 'md',
  components: {
    // Every dialog's ✕ has a name a screen reader can say (Mantine's has none of its own).
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // A field's error is announced as it appears (role="alert"), not only read when the field is focused
    // again: every input (TextInput, Select, MultiSelect, NumberInput …) renders its error through this.
    InputWrapper: InputWrapper.extend({ defaultProps: { errorProps: { role: 'alert' } } }),
  },
});

/**
 * Coloured text (c="orange", a red menu item) and the text of light badges and alerts, on white and on the
 * 10 % tint a light variant paints behind it: each at least 4.5:1 on both (Mantine's shade 6 is 1.9–3.6:1).
 */
const TEXT = {
  red: '#c92a2a',
  orange: '#b34700',
  yellow: '#8a6100',
  green: '#237032',
  blue: '#1864ab',
  teal: '#066649',
  grape: '#862e9c',
  gray: '#5c636a',
  cyan: '#0b7285',
  indigo: '#364fc7',
} as const;

/** The readable text colour for a Mantine colour name (undefined for none, a colour with no entry as it is). */
export function readableText(color: string | undefined): string | undefined {
  return color !== undefined && color in TEXT ? TEXT[color as keyof typeof TEXT] : color;
}

/**
 * Secondary text ("dimmed"), placeholders and error messages, darker than Mantine's: #5c636a is 6.1:1 on
 * white and 5.1:1 on the lightest grey fills (#e9ecef); #666d75 is 5.2:1 on an input's white.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-placeholder': '#666d75',
    '--mantine-color-error': TEXT.red,
    ...Object.fromEntries(
      Object.entries(TEXT).flatMap(([color, value]) => [
        [`--mantine-color-${color}-text`, value],
        [`--mantine-color-${color}-light-color`, value],
      ]),
    ),
  },
  dark: {},
});
