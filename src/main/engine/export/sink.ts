/**
 * Where an export's bytes go: a caller's stream, or a file that appears only when complete.
 *
 * A file export writes to a temp file in the target's folder (same file system, so the final
 * rename is atomic), flushes it to disk and renames it into place. Any failure — a full disk, a
 * folder that does not exist or is read-only, a bug — removes the temp file and throws an error
 * that names the file and says what happened; the target is never left half written.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { VminerError } from '../../../shared/errors.js';

export interface Sink {
  /** The stream to write to. */
  readonly stream: Writable;
  /** Bytes written through `write` (a stream written by someone else is not counted). */
  readonly written: number;
  /** Writes a chunk and waits when the stream is full, so memory stays bounded. */
  write(chunk: string | Buffer): Promise<void>;
  /** Throws the stream's error, if it failed meanwhile. */
  check(): void;
  /** Waits while the stream is full (for writers that write to `stream` themselves). */
  relieve(): Promise<void>;
  /** Runs `work` but rejects as soon as the stream fails (a writer that waits on it would hang). */
  guard<T>(work: Promise<T>): Promise<T>;
  /** Ends the stream and (for a file) renames it into place; returns the file's size when known. */
  finish(): Promise<number | undefined>;
  /** Stops after a failure: destroys the stream and removes the temp file. */
  abort(): Promise<void>;
}

function describe(err: NodeJS.ErrnoException, file: string): string {
  const dir = path.dirname(file);
  switch (err.code) {
    case 'ENOENT':
      return fs.existsSync(dir) ? `files cannot be created in ${dir}` : `the folder ${dir} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${dir}`;
    case 'EROFS':
      return `${dir} is on a read-only file system`;
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'EISDIR':
      return `${file} is a folder`;
    default:
      return err.message;
  }
}

export function writeError(err: unknown, file: string): VminerError {
  if (err instanceof VminerError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code === 'ENOENT' || e.code === 'EISDIR' ? 'INVALID_INPUT' : 'PERMISSION_DENIED';
  const known = ['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EISDIR'].includes(e.code ?? '');
  return new VminerError(
    known ? code : 'INTERNAL',
    `cannot write ${file}: ${describe(e, file)} (nothing was written)`,
    { cause: err },
  );
}

class StreamSink implements Sink {
  written = 0;
  protected error: Error | undefined;

  constructor(readonly stream: Writable) {
    stream.on('error', (err: Error) => {
      this.error ??= err;
    });
  }

  check(): void {
    if (this.error) throw this.error;
  }

  guard<T>(work: Promise<T>): Promise<T> {
    // The work may still fail after the stream did: that later rejection is not news.
    work.catch(() => undefined);
    if (this.error) return Promise.reject(this.error);
    let onError: ((err: Error) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      onError = (err: Error) => reject(err);
      this.stream.once('error', onError);
    });
    return Promise.race([work, failed]).finally(() => {
      if (onError) this.stream.off('error', onError);
    });
  }

  async relieve(): Promise<void> {
    this.check();
    if (this.stream.writableNeedDrain) await this.drained();
  }

  async write(chunk: string | Buffer): Promise<void> {
    this.check();
    this.written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.stream.write(chunk)) await this.drained();
  }

  protected drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', done);
        this.stream.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(this.error ?? new Error('the output stream closed early'));
      this.stream.once('drain', onDrain);
      this.stream.once('error', done);
      this.stream.once('close', onClose);
    });
  }

  /** Resolves when the stream has finished (and, for a file, closed its descriptor). */
  protected ended(event: 'finish' | 'close'): Promise<void> {
    const s = this.stream;
    if (this.error) return Promise.reject(this.error);
    if (event === 'finish' ? s.writableFinished : s.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      s.once(event, () => (this.error ? reject(this.error) : resolve()));
      s.once('error', reject);
    });
  }

  async finish(): Promise<number | undefined> {
    if (!this.stream.writableEnded) this.stream.end();
    await this.ended('finish');
    return this.written;
  }

  async abort(): Promise<void> {
    this.stream.destroy();
  }
}

class FileSink extends StreamSink {
  constructor(
    readonly file: string,
    readonly temp: string,
  ) {
    // `flush`: the data is on disk before the rename makes it visible.
    super(fs.createWriteStream(temp, { flags: 'wx', flush: true }));
  }

  override async finish(): Promise<number> {
    try {
      if (!this.stream.writableEnded) this.stream.end();
      await this.ended('close');
      const size = fs.statSync(this.temp).size;
      fs.renameSync(this.temp, this.file);
      return size;
    } catch (err) {
      await this.abort();
      throw writeError(err, this.file);
    }
  }

  override async abort(): Promise<void> {
    if (!this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.destroy();
      });
    }
    fs.rmSync(this.temp, { force: true });
  }
}

/** Checks the target up front so a bad path fails before any work. */
function openFile(file: string): FileSink {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    throw writeError(err, abs);
  }
  if (!st.isDirectory())
    throw new VminerError('INVALID_INPUT', `cannot write ${abs}: ${dir} is not a folder`);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    throw new VminerError('INVALID_INPUT', `cannot write ${abs}: it is a folder`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw writeError(err, abs);
  }
  const temp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return new FileSink(abs, temp);
}

export function openSink(out: Writable | string): Sink {
  return typeof out === 'string' ? openFile(out) : new StreamSink(out);
}

/** Runs an export body against a sink: on any failure the sink is aborted (no half file). */
export async function withSink<T>(
  out: Writable | string,
  body: (sink: Sink) => Promise<T>,
): Promise<{ result: T; bytes: number | undefined }> {
  const sink = openSink(out);
  let result: T;
  try {
    result = await body(sink);
    sink.check();
  } catch (err) {
    await sink.abort();
    throw typeof out === 'string' ? writeError(err, path.resolve(out)) : err;
  }
  const bytes = await sink.finish();
  return { result, bytes };
}

/** Lets other work (zlib, the file stream) run between batches of synchronous row reads. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
