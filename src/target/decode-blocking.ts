import { inflateSync } from 'node:zlib';

/**
 * The `event-loop-block` fault: a synchronous "pre-check" of the image on the server's main
 * thread, as naive code does before queueing. PNG: inflate all image data and scan every
 * byte; other formats: scan every byte a few times. Cost grows with the image's size, and
 * while it runs no request (not even a status poll) is answered.
 */
export function blockingImageScan(bytes: Buffer): number {
  let checksum = 0;
  const pixels = pngImageData(bytes) ?? bytes;
  const passes = pixels === bytes ? 8 : 2;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < pixels.length; i++) checksum = (checksum * 31 + pixels[i]) >>> 0;
  }
  return checksum;
}

function pngImageData(bytes: Buffer): Buffer | null {
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) return null;
  const parts: Buffer[] = [];
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  try {
    return inflateSync(Buffer.concat(parts));
  } catch {
    return null;
  }
}
