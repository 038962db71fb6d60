/**
 * A log file that rotates by size: when the next line would take it past `maxBytes`, the file
 * becomes `<file>.1` (`.1` becomes `.2`, … the oldest beyond `keep` is deleted) and a new one
 * starts. Lines are written whole and synchronously (a crash loses nothing already logged), with
 * owner-only access; a failing disk never takes the caller down with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from './private-files.js';

export interface RotationOptions {
  /** Rotate before the file passes this size (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside the live one (default 5). */
  keep?: number;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 5;

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  readonly maxBytes: number;
  readonly keep: number;

  constructor(
    readonly file: string,
    opts: RotationOptions = {},
  ) {
    this.maxBytes = Math.max(1024, opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES);
    this.keep = Math.max(1, opts.keep ?? DEFAULT_LOG_KEEP);
  }

  /** Appends `text` (one or more whole lines). */
  write(text: string): void {
    try {
      const bytes = Buffer.byteLength(text);
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.writeSync(this.fd!, text);
      this.size += bytes;
    } catch {
      // A full disk or a vanished folder must not take the engine down; the next line tries again.
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = undefined;
  }

  private open(): void {
    ensurePrivateDir(path.dirname(this.file));
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    fs.rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (fs.existsSync(`${this.file}.${i}`)) fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.open();
  }
}
