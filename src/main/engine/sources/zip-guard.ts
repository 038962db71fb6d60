import { inflateRawSync } from 'node:zlib';
import { VminerError } from '../../../shared/errors.js';

/** What an uploaded workbook may unpack to: a vCenter list is a few hundred KB of XML at most. */
export interface ZipBudget {
  maxEntries: number;
  maxUncompressedBytes: number;
}

export const XLSX_BUDGET: ZipBudget = { maxEntries: 1000, maxUncompressedBytes: 100 * 1024 * 1024 };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const tooLarge = (message: string): VminerError =>
  new VminerError('TOO_LARGE', `the workbook was refused: ${message}`);
const broken = (message: string): VminerError =>
  new VminerError('INVALID_INPUT', `this is not a readable XLSX workbook: ${message}`);

/**
 * Refuses a ZIP (an XLSX workbook) before it is opened when it holds more entries or unpacks to
 * more bytes than the budget allows: a zip bomb. Sizes are measured by inflating each entry with
 * an output cap, not taken from the headers, which a crafted file can fill with anything.
 */
export function checkZipBudget(buf: Buffer, budget: ZipBudget = XLSX_BUDGET): void {
  const eocd = findEndOfCentralDirectory(buf);
  const entries = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdOffset === 0xffffffff) throw broken('ZIP64 archives are not supported');
  if (entries > budget.maxEntries) throw tooLarge(`it holds ${entries} files (at most ${budget.maxEntries})`);
  let left = budget.maxUncompressedBytes;
  let at = cdOffset;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw broken('damaged file list');
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    at += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw broken('damaged entry');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataStart, dataStart + compressed);
    let size: number;
    if (method === 0) size = data.length;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: left + 1 }).length;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
          throw tooLarge(
            `it unpacks to more than ${Math.round(budget.maxUncompressedBytes / (1024 * 1024))} MB`,
          );
        throw broken(`an entry cannot be unpacked (${(err as Error).message})`);
      }
    } else throw broken(`compression method ${method} is not used by Excel`);
    left -= size;
    if (left < 0)
      throw tooLarge(`it unpacks to more than ${Math.round(budget.maxUncompressedBytes / (1024 * 1024))} MB`);
  }
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes at the very end.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === EOCD) return i;
  throw broken('no ZIP directory at its end (truncated?)');
}
