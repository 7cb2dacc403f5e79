/**
 * A zip archive read from its central directory (no unzip tool needed): the tests' checks of the
 * packaged functions and the bench's reading of the deployed bundles share this one reader.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

interface ZipEntry {
  name: string;
  /** The entry's bytes as stored, and how: 0 stored, 8 deflate (the two methods osls writes). */
  method: number;
  data: Buffer;
}

const readDirectory = (file: string): ZipEntry[] => {
  const buf = readFileSync(file);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  // Sizes come from the central directory: a local header written with a data descriptor has none.
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    entries.push({ name, method, data: buf.subarray(start, start + compressed) });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
};

const inflated = (file: string, { name, method, data }: ZipEntry): Buffer => {
  if (method !== 0 && method !== 8) throw new Error(`${file}: ${name} uses compression method ${method}`);
  return method === 8 ? inflateRawSync(data) : Buffer.from(data);
};

/** The file names in a zip archive. */
export const zipEntries = (file: string): string[] => readDirectory(file).map((e) => e.name);

/** Each entry's content, inflated, by name. */
export const zipContents = (file: string): Map<string, Buffer> =>
  new Map(readDirectory(file).map((e) => [e.name, inflated(file, e)]));

/** One entry's content, inflated; an archive without it is an error. */
export const zipEntry = (file: string, name: string): Buffer => {
  const entry = readDirectory(file).find((e) => e.name === name);
  if (!entry) throw new Error(`${file} has no ${name}`);
  return inflated(file, entry);
};
