/**
 * Ground truth from a sidecar `.txt` file. UTF-8 is expected; anything else is still read,
 * never silently: the caller gets the encoding used and a warning to show.
 */

/** How a sidecar's bytes were turned into text. */
export type SidecarEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedSidecar {
  text: string;
  encoding: SidecarEncoding;
  /** Why the bytes were not plain UTF-8 and how they were read; null when they were. */
  warning: string | null;
}

/** Bytes shown around the first invalid one in a warning. */
const CONTEXT_CHARS = 16;

/**
 * Decodes a sidecar: a UTF-8 BOM is dropped; a UTF-16 BOM (or UTF-16 without a BOM,
 * recognised by its zero bytes) is read as UTF-16 with a warning; bytes that are not valid
 * UTF-8 are read as Windows-1252 (Latin-1 plus the printable 0x80-0x9F range, the WHATWG
 * meaning of "latin1") with a warning naming the first invalid byte, its line, and what it
 * became, so a wrong guess is seen, never silent mojibake. CR LF and CR become LF; final
 * newlines are removed.
 */
export function decodeSidecar(bytes: Uint8Array): DecodedSidecar {
  const decoded = decodeBytes(bytes);
  return {
    ...decoded,
    text: decoded.text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\n+$/, ''),
  };
}

function decodeBytes(bytes: Uint8Array): DecodedSidecar {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return utf16(bytes.subarray(2), 'utf-16le', 'by its byte order mark FF FE');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return utf16(bytes.subarray(2), 'utf-16be', 'by its byte order mark FE FF');
  }
  const withoutBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = withoutBom ? bytes.subarray(3) : bytes;
  const zeroOrder = utf16ByZeros(body);
  if (zeroOrder) {
    return utf16(body, zeroOrder, 'without a byte order mark, by its zero bytes');
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { text, encoding: 'utf-8', warning: null };
  } catch {
    return latin(body);
  }
}

function utf16(body: Uint8Array, encoding: 'utf-16le' | 'utf-16be', how: string): DecodedSidecar {
  const text = new TextDecoder(encoding).decode(body);
  const name = encoding.toUpperCase();
  return { text, encoding, warning: `not UTF-8: read as ${name} (${how})` };
}

/**
 * UTF-16 text of mostly Latin characters has a zero in every other byte; UTF-8 text never
 * holds zero bytes. `utf-16le` when the odd bytes are zero, `utf-16be` when the even ones.
 */
function utf16ByZeros(body: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (body.length < 2 || body.length % 2 !== 0 || !body.includes(0)) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  }
  const pairs = body.length / 2;
  if (oddZeros >= pairs * 0.5 && evenZeros === 0) return 'utf-16le';
  if (evenZeros >= pairs * 0.5 && oddZeros === 0) return 'utf-16be';
  return null;
}

/**
 * Windows-1252's 0x80-0x9F (euro sign, curly quotes, dashes...); the five bytes it leaves
 * undefined map to the same C1 code points, as in WHATWG's table. Written out because
 * Node's TextDecoder('windows-1252') decodes that range as ISO-8859-1 control characters.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021' +
  '\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014' +
  '\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Windows-1252 bytes as text: one character per byte. */
export function decodeWindows1252(body: Uint8Array): string {
  let text = '';
  for (const byte of body) {
    text += byte >= 0x80 && byte < 0xa0 ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

function latin(body: Uint8Array): DecodedSidecar {
  const text = decodeWindows1252(body);
  const offset = firstInvalidUtf8(body);
  // Windows-1252 maps every byte to one character: byte offset = character offset.
  const line = text.slice(0, offset).split('\n').length;
  const from = Math.max(0, offset - CONTEXT_CHARS);
  const context = text
    .slice(from, offset + CONTEXT_CHARS)
    .replace(/\s+/g, ' ')
    .trim();
  const hex = (body[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return {
    text,
    encoding: 'windows-1252',
    warning:
      `not valid UTF-8 (byte 0x${hex} at offset ${offset}, line ${line}): read as ` +
      `Windows-1252 (Latin-1), giving "${context}"; check the text, or save the file as UTF-8`,
  };
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    let length: number;
    let min: number;
    if (lead < 0x80) {
      i++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    let code = lead & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += length;
  }
  return bytes.length;
}
