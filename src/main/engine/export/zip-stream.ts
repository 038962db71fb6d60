/**
 * A streaming ZIP writer (the container of an .xlsx): entries are deflated as they are written and
 * end with a data descriptor, so nothing is held whole and sizes need not be known up front. The
 * output goes through a `Sink` with its back-pressure respected. Entries are limited to 4 GiB
 * (no ZIP64): larger is refused with a message rather than written broken.
 */
import type { TransformOptions } from 'node:stream';
import zlib from 'node:zlib';
import { VminerError } from '../../../shared/errors.js';
import type { Sink } from './sink.js';

interface Written {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

const LIMIT = 0xffffffff;
/** DOS date/time of 1980-01-01 00:00 (the epoch of ZIP times). */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export class ZipStream {
  private offset = 0;
  private readonly entries: Written[] = [];

  constructor(private readonly sink: Sink) {}

  private async raw(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    await this.sink.write(buf);
  }

  /** Opens an entry; write its content with the returned writer, then `close()` it. */
  async entry(name: string): Promise<ZipEntry> {
    const nameBuf = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0x0808, 6); // data descriptor follows; UTF-8 names
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(DOS_TIME, 10);
    header.writeUInt16LE(DOS_DATE, 12);
    // crc and sizes are 0 here: they follow the data (the descriptor).
    header.writeUInt16LE(nameBuf.length, 26);
    header.writeUInt16LE(0, 28);
    const offset = this.offset;
    await this.raw(Buffer.concat([header, nameBuf]));
    return new ZipEntry(this.sink, nameBuf, offset, (w, bytes) => {
      this.offset += bytes;
      this.entries.push(w);
    });
  }

  /** Writes the central directory; the sink is ended by its owner. */
  async finish(): Promise<void> {
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by
      h.writeUInt16LE(20, 6); // needed
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(DOS_TIME, 12);
      h.writeUInt16LE(DOS_DATE, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
    }
    const dir = Buffer.concat(parts);
    if (start > LIMIT || start + dir.length > LIMIT)
      throw new VminerError(
        'TOO_LARGE',
        'the workbook passes 4 GiB; export fewer vCenters or a question’s rows',
      );
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(start, 16);
    await this.raw(Buffer.concat([dir, end]));
  }
}

/** Text is deflated in chunks of about this many characters. */
const CHUNK_CHARS = 262_144;

/** zlib's streams take the stream options too (`highWaterMark`), which `ZlibOptions` leaves out. */
const DEFLATE_OPTIONS: zlib.ZlibOptions & TransformOptions = {
  level: 1,
  memLevel: 9,
  highWaterMark: 4 * CHUNK_CHARS,
  chunkSize: 4 * CHUNK_CHARS,
};

/**
 * One entry being written: text in, deflated bytes out to the sink.
 *
 * Deflating runs in libuv's thread pool while the writer builds the next chunk: the deflater
 * takes a few chunks before it asks to wait (`highWaterMark`), a chunk is deflated in one go
 * (`chunkSize`), and after handing one on the writer lets the event loop turn once so that the
 * finished chunk's callback starts the next. Without that turn, the writer's synchronous stretches
 * (thousands of rows between awaits that resolve at once) let the pool deflate only one chunk per
 * turn, and writing and deflating took turns on one core (RVTools layout, 100k VMs: 20–23 s wall
 * for 20–24 CPU-s before, 16–17 s for 22 CPU-s after; peak RSS +25 MB).
 */
export class ZipEntry {
  private readonly deflate = zlib.createDeflateRaw(DEFLATE_OPTIONS);
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private failure: Error | undefined;
  private readonly done: Promise<void>;
  /** Text collected until a chunk is worth deflating. */
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(
    private readonly sink: Sink,
    private readonly name: Buffer,
    private readonly offset: number,
    private readonly onClose: (w: Written, bytes: number) => void,
  ) {
    // Deflated output goes straight to the sink; when the sink is full the deflater pauses.
    this.deflate.on('data', (chunk: Buffer) => {
      this.compressed += chunk.length;
      if (!sink.stream.write(chunk)) {
        this.deflate.pause();
        sink.stream.once('drain', () => this.deflate.resume());
      }
    });
    this.done = new Promise((resolve, reject) => {
      this.deflate.once('end', resolve);
      this.deflate.once('error', (err) => {
        this.failure = err;
        reject(err);
      });
    });
    this.done.catch(() => undefined);
  }

  /** Adds text; it is deflated in chunks of about `CHUNK_CHARS` characters. */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingLength === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.crc = zlib.crc32(buf, this.crc);
    this.size += buf.length;
    if (this.size > LIMIT)
      throw new VminerError('TOO_LARGE', `a sheet of the workbook passes 4 GiB; export fewer vCenters`);
    if (this.failure) throw this.failure;
    this.sink.check();
    if (!this.deflate.write(buf)) await new Promise<void>((resolve) => this.deflate.once('drain', resolve));
    // A chunk waits its turn: let the event loop run the pool's callbacks, which start it.
    if (this.deflate.writableLength > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.sink.relieve();
  }

  async close(): Promise<void> {
    await this.flush();
    this.deflate.end();
    await this.sink.guard(this.done);
    // The descriptor: signature, crc, compressed and uncompressed sizes.
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(this.crc >>> 0, 4);
    d.writeUInt32LE(this.compressed, 8);
    d.writeUInt32LE(this.size, 12);
    await this.sink.write(d);
    this.onClose(
      {
        name: this.name,
        offset: this.offset,
        crc: this.crc >>> 0,
        compressed: this.compressed,
        size: this.size,
      },
      this.compressed + d.length,
    );
  }
}
