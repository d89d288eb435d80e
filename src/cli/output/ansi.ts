// ANSI colours, applied only when the caller says the output is a colour terminal.
const CODES = { green: 32, red: 31, yellow: 33, dim: 2, bold: 1 } as const;
export type Style = keyof typeof CODES;

export const paint = (color: boolean, style: Style, text: string): string => (color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);

const ANSI_PATTERN = /\u001b\[[0-9;]*[A-Za-z]/g;

export const stripAnsi = (text: string): string => text.replace(ANSI_PATTERN, '');

/** Width on screen: escape codes take none. Every character we print is one column wide. */
export const visibleWidth = (text: string): number => [...stripAnsi(text)].length;
