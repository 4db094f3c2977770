/**
 * A skipped file's reason as one readable line. Decoders (sharp/libvips) answer with their
 * own text: several lines repeating themselves ("VipsJpeg: premature end of JPEG image"
 * twice), or a prefix with nothing after it ("Input buffer has corrupt header: "), which
 * printed as is reads like a message cut off. Lines are deduplicated and joined with "; ",
 * a dangling ":" is dropped, and a bare "corrupt header" says what it means.
 */
export function skipReason(reason: string): string {
  const lines: string[] = [];
  for (const raw of reason.split('\n')) {
    const line = raw.trim();
    // libvips repeats its lines, the first one after sharp's own prefix.
    if (line !== '' && !lines.some((kept) => kept.endsWith(line))) lines.push(line);
  }
  let text = lines.join('; ').replace(/[\s:;]+$/, '');
  if (/corrupt header$/i.test(text)) {
    text +=
      ' (the decoder gave no detail: the file is damaged, cut short, or not really that format)';
  }
  return text;
}
