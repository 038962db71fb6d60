/**
 * A small TDS (SQL Server wire protocol) responder for tests: enough of TDS 7.4 for the real
 * `mssql`/tedious driver to log in, with or without TLS, run a query over RPC (`sp_executesql`)
 * and read NVARCHAR / INT rows, or get a login failure or a query error. Long results stream with
 * backpressure and stop at the driver's ATTENTION (cancel), so a test can see how many rows a
 * reader really pulled. It listens on loopback only.
 * See /work/shared/notes/tds-facts.md for the byte layouts it follows.
 *
 * TLS (`tls: {key, cert}`): PRELOGIN answers encryption ON; the handshake records then travel in
 * PRELOGIN packets, and afterwards everything (LOGIN7 included) is raw TLS carrying TDS packets,
 * as with SQL Server.
 */
import net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import tls from 'node:tls';

export type TdsValue = string | number | null;

export interface TdsResult {
  columns: { name: string; type: 'nvarchar' | 'int' }[];
  /** Any iterable: a generator streams a long result without building it first. */
  rows: Iterable<TdsValue[]>;
}

export type TdsAnswer =
  TdsResult | { error: { number: number; message: string; state?: number; class?: number } };

export interface TdsResponderOptions {
  /** Accepted logins: user → password. */
  logins: Record<string, string>;
  /** Answers a statement sent over RPC; `SELECT 1;` (the pool's validation) is answered for you. */
  answer: (sql: string, login: { user: string; database: string }) => TdsAnswer;
  /** Speak TLS with this key and certificate (PEM); without it, encryption is "not supported". */
  tls?: { key: string; cert: string };
}

export interface TdsResponder {
  port: number;
  /** Every statement received over RPC, in order (the pool's `SELECT 1;` included). */
  statements: string[];
  /** Logins attempted, with the password the driver sent (decoded from LOGIN7). */
  logins: { user: string; password: string; database: string; ok: boolean }[];
  /** Result rows written to the wire so far, over all queries. */
  rowsSent: number;
  /** TLS handshakes completed. */
  handshakes: number;
  close(): Promise<void>;
}

const PACKET = 4096;

function bVarchar(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  return Buffer.concat([Buffer.from([s.length]), b]);
}

function usVarchar(s: string): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16LE(s.length);
  return Buffer.concat([len, Buffer.from(s, 'utf16le')]);
}

function done(status: number, curCmd: number, rowCount: number, token = 0xfd): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt8(token, 0);
  b.writeUInt16LE(status, 1);
  b.writeUInt16LE(curCmd, 3);
  b.writeBigUInt64LE(BigInt(rowCount), 5);
  return b;
}

function errorToken(number: number, message: string, state: number, cls: number): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(number, 0);
  head.writeUInt8(state, 4);
  head.writeUInt8(cls, 5);
  const line = Buffer.alloc(4);
  line.writeUInt32LE(1);
  const body = Buffer.concat([head, usVarchar(message), bVarchar('tds-responder'), bVarchar(''), line]);
  const len = Buffer.alloc(3);
  len.writeUInt8(0xaa, 0);
  len.writeUInt16LE(body.length, 1);
  return Buffer.concat([len, body]);
}

function loginAck(): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x01]),
    Buffer.from([0x74, 0x00, 0x00, 0x04]),
    bVarchar('tds-responder'),
    Buffer.from([16, 0, 0, 1]),
  ]);
  const head = Buffer.alloc(3);
  head.writeUInt8(0xad, 0);
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

function metaToken(r: TdsResult): Buffer {
  const parts: Buffer[] = [];
  const meta = Buffer.alloc(3);
  meta.writeUInt8(0x81, 0);
  meta.writeUInt16LE(r.columns.length, 1);
  parts.push(meta);
  for (const c of r.columns) {
    parts.push(Buffer.from([0, 0, 0, 0, 0x09, 0x00]));
    parts.push(
      c.type === 'int'
        ? Buffer.from([0x26, 0x04])
        : Buffer.from([0xe7, 0x00, 0x02, 0x09, 0x04, 0xd0, 0x00, 0x34]),
    );
    parts.push(bVarchar(c.name));
  }
  return Buffer.concat(parts);
}

function rowToken(r: TdsResult, row: TdsValue[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0xd1])];
  r.columns.forEach((c, i) => {
    const v = row[i] ?? null;
    if (c.type === 'int') {
      if (v === null) parts.push(Buffer.from([0]));
      else {
        const b = Buffer.alloc(5);
        b.writeUInt8(4, 0);
        b.writeInt32LE(Number(v), 1);
        parts.push(b);
      }
    } else if (v === null) parts.push(Buffer.from([0xff, 0xff]));
    else {
      const data = Buffer.from(String(v), 'utf16le');
      const len = Buffer.alloc(2);
      len.writeUInt16LE(data.length);
      parts.push(len, data);
    }
  });
  return Buffer.concat(parts);
}

function packetHead(type: number, last: boolean, length: number, id: number): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt8(type, 0);
  head.writeUInt8(last ? 0x01 : 0x00, 1);
  head.writeUInt16BE(length + 8, 2);
  head.writeUInt8(id & 0xff, 6);
  return head;
}

function packets(type: number, payload: Buffer): Buffer {
  const out: Buffer[] = [];
  const room = PACKET - 8;
  let id = 1;
  for (let off = 0; off === 0 || off < payload.length; off += room) {
    const chunk = payload.subarray(off, off + room);
    const head = Buffer.alloc(8);
    head.writeUInt8(type, 0);
    head.writeUInt8(off + room >= payload.length ? 0x01 : 0x00, 1);
    head.writeUInt16BE(chunk.length + 8, 2);
    head.writeUInt8(id++ & 0xff, 6);
    out.push(head, chunk);
  }
  return Buffer.concat(out);
}

function decodePassword(b: Buffer): string {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) {
    const x = b[i]! ^ 0xa5;
    out[i] = ((x & 0x0f) << 4) | (x >> 4);
  }
  return out.toString('utf16le');
}

/** The statement of an `sp_executesql` RPC: its first parameter (NVARCHAR, short or PLP). */
function rpcStatement(p: Buffer): string {
  let o = p.readUInt32LE(0); // ALL_HEADERS
  const nameLen = p.readUInt16LE(o);
  o += 2;
  o += nameLen === 0xffff ? 2 : nameLen * 2;
  o += 2; // option flags
  const pname = p.readUInt8(o);
  o += 1 + pname * 2 + 1; // name, status
  const type = p.readUInt8(o);
  if (type !== 0xe7 && type !== 0xef) throw new Error(`unexpected statement type 0x${type.toString(16)}`);
  const maxLen = p.readUInt16LE(o + 1);
  o += 8;
  if (maxLen !== 0xffff) {
    const len = p.readUInt16LE(o);
    return p.subarray(o + 2, o + 2 + len).toString('utf16le');
  }
  o += 8; // PLP total length (unknown)
  const chunks: Buffer[] = [];
  for (;;) {
    const len = p.readUInt32LE(o);
    o += 4;
    if (len === 0) break;
    chunks.push(p.subarray(o, o + len));
    o += len;
  }
  return Buffer.concat(chunks).toString('utf16le');
}

export async function startTdsResponder(opts: TdsResponderOptions): Promise<TdsResponder> {
  const sockets = new Set<net.Socket>();
  const state: TdsResponder = {
    port: 0,
    statements: [],
    logins: [],
    rowsSent: 0,
    handshakes: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let login = { user: '', database: '' };
    /** Where TDS packets go: the socket, or the TLS session once it is up. */
    let out: NodeJS.WritableStream & { destroyed: boolean } = sock;
    let attention = false;
    let streaming: Promise<void> = Promise.resolve();
    // TLS: the server side of the session sits on a stream pair; during the handshake its records
    // are wrapped in PRELOGIN packets, afterwards they are the raw socket bytes.
    let handshake: { toTls: PassThrough; flight: Buffer[]; flush: NodeJS.Timeout | undefined } | null = null;

    const reply = (payload: Buffer, type = 0x04): void => {
      if (!out.destroyed) out.write(packets(type, payload));
    };

    /** Streams a result with backpressure; stops early at an ATTENTION or a closed socket. */
    const stream = async (r: TdsResult): Promise<void> => {
      let id = 1;
      let pending: Buffer[] = [Buffer.from(metaToken(r))];
      let size = pending[0]!.length;
      const room = PACKET - 8;
      const flushPacket = async (last: boolean): Promise<void> => {
        const data = Buffer.concat(pending);
        pending = [];
        size = 0;
        for (let off = 0; off < data.length || (last && off === 0); off += room) {
          const chunk = data.subarray(off, off + room);
          const end = off + room >= data.length;
          if (out.destroyed) return;
          const ok = out.write(Buffer.concat([packetHead(0x04, last && end, chunk.length, id++), chunk]));
          if (!ok) await new Promise<void>((res) => (out as NodeJS.EventEmitter).once('drain', () => res()));
          if (data.length === 0) break;
        }
      };
      let count = 0;
      for (const row of r.rows) {
        if (attention || out.destroyed) break;
        const t = rowToken(r, row);
        pending.push(t);
        size += t.length;
        count++;
        state.rowsSent++;
        if (size >= room * 4) await flushPacket(false);
      }
      if (out.destroyed) return;
      pending.push(done(attention ? 0x0030 : 0x0010, 0x00c1, count));
      await flushPacket(true);
      if (attention) {
        attention = false;
        reply(done(0x0020, 0, 0)); // the ATTENTION acknowledgement
      }
    };

    const handle = (type: number, p: Buffer): void => {
      if (type === 0x12 && handshake) {
        // A TLS handshake record from the client, wrapped in PRELOGIN.
        handshake.toTls.write(p);
        return;
      }
      if (type === 0x12) {
        // PRELOGIN: VERSION + ENCRYPTION: ON with TLS, "not supported" without.
        const data = Buffer.from([16, 0, 0x07, 0xd0, 0, 0, opts.tls ? 0x01 : 0x02]);
        const head = Buffer.from([0x00, 0, 11, 0, 6, 0x01, 0, 17, 0, 1, 0xff]);
        reply(Buffer.concat([head, data]));
        if (opts.tls) startTls(opts.tls);
      } else if (type === 0x10) {
        const str = (at: number): Buffer => {
          const off = p.readUInt16LE(at);
          const len = p.readUInt16LE(at + 2);
          return p.subarray(off, off + len * 2);
        };
        const user = str(40).toString('utf16le');
        const password = decodePassword(str(44));
        const database = str(68).toString('utf16le');
        const ok = Object.prototype.hasOwnProperty.call(opts.logins, user) && opts.logins[user] === password;
        state.logins.push({ user, password, database, ok });
        if (ok) {
          login = { user, database };
          reply(Buffer.concat([loginAck(), done(0, 0, 0)]));
        } else {
          reply(
            Buffer.concat([errorToken(18456, `Login failed for user '${user}'.`, 1, 14), done(0x0002, 0, 0)]),
          );
        }
      } else if (type === 0x01) {
        reply(done(0, 0, 0)); // the driver's `set …` batch after login
      } else if (type === 0x03) {
        let sql: string;
        try {
          sql = rpcStatement(p);
        } catch (err) {
          reply(Buffer.concat([errorToken(50000, String(err), 1, 16), done(0x0002, 0, 0)]));
          return;
        }
        state.statements.push(sql);
        const a: TdsAnswer =
          sql.trim() === 'SELECT 1;'
            ? { columns: [{ name: '', type: 'int' }], rows: [[1]] }
            : opts.answer(sql, login);
        if ('error' in a) {
          reply(
            Buffer.concat([
              errorToken(a.error.number, a.error.message, a.error.state ?? 1, a.error.class ?? 16),
              done(0x0002, 0, 0),
            ]),
          );
        } else streaming = stream(a).catch(() => undefined);
      } else if (type === 0x06) {
        // ATTENTION: a result still streaming stops and acknowledges; otherwise acknowledge now.
        attention = true;
        void streaming.then(() => {
          if (attention) {
            attention = false;
            reply(done(0x0020, 0, 0));
          }
        });
      } else if (type === 0x0e) {
        reply(done(0, 0, 0)); // transaction manager
      } else sock.destroy();
    };

    let buf = Buffer.alloc(0);
    let message: Buffer[] = [];
    /** TDS packets in (from the socket, or decrypted from the TLS session). */
    const onTds = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8) {
        const len = buf.readUInt16BE(2);
        // TLS bytes or garbage: a length below the header size would never advance.
        if (len < 8) {
          sock.destroy();
          return;
        }
        if (buf.length < len) break;
        const type = buf.readUInt8(0);
        const status = buf.readUInt8(1);
        message.push(buf.subarray(8, len));
        buf = buf.subarray(len);
        if (status & 0x01) {
          const payload = Buffer.concat(message);
          message = [];
          handle(type, payload);
        }
      }
    };

    /** Set once the client speaks raw TLS: socket bytes go straight into the session. */
    let tlsIn: PassThrough | null = null;
    const startTls = (creds: { key: string; cert: string }): void => {
      const toTls = new PassThrough();
      const fromTls = new PassThrough();
      const secure = new tls.TLSSocket(Duplex.from({ readable: toTls, writable: fromTls }), {
        isServer: true,
        key: creds.key,
        cert: creds.cert,
      });
      secure.on('error', () => sock.destroy());
      const hs = { toTls, flight: [] as Buffer[], flush: undefined as NodeJS.Timeout | undefined };
      handshake = hs;
      let secured = false;
      // One flight of handshake records is one PRELOGIN message: send it once TLS falls quiet.
      // Until the client sends its first raw TLS bytes, all our TLS output is handshake.
      fromTls.on('data', (d: Buffer) => {
        if (tlsIn === null) {
          hs.flight.push(d);
          clearTimeout(hs.flush);
          hs.flush = setTimeout(() => {
            if (!sock.destroyed && hs.flight.length)
              sock.write(packets(0x12, Buffer.concat(hs.flight.splice(0))));
          }, 15);
        } else if (!sock.destroyed) sock.write(d);
      });
      secure.once('secure', () => {
        state.handshakes++;
        secured = true;
        out = secure;
        secure.on('data', onTds);
      });
      rawTls = (chunk: Buffer): void => {
        if (!secured) {
          sock.destroy();
          return;
        }
        if (tlsIn === null) {
          clearTimeout(hs.flush);
          if (hs.flight.length) sock.write(packets(0x12, Buffer.concat(hs.flight.splice(0))));
          tlsIn = toTls;
          handshake = null;
        }
        tlsIn.write(chunk);
      };
    };
    let rawTls: ((chunk: Buffer) => void) | null = null;

    sock.on('data', (chunk: Buffer) => {
      // After the handshake the client writes TLS records (first byte 0x14–0x17), not TDS packets.
      if (rawTls && (tlsIn !== null || (out !== sock && chunk[0]! >= 0x14 && chunk[0]! <= 0x17)))
        rawTls(chunk);
      else onTds(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}
