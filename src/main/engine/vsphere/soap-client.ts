import { isAscii } from 'node:buffer';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { VminerError } from '../../../shared/errors.js';
import { classifyNetworkError, createAgent, type TrustPolicy } from './transport.js';
import {
  escapeXml,
  child,
  childText,
  DEFAULT_MAX_DEPTH,
  SoapStreamParser,
  XmlLimitError,
  XmlSyntaxError,
  type XNode,
  type StreamHandlers,
} from './xml.js';

/** The engine settings' defaults (maxAnswerBytes, maxAnswerDepth), for clients made outside a sync. */
export const DEFAULT_MAX_ANSWER_BYTES = 128 * 1024 * 1024;
export { DEFAULT_MAX_DEPTH as DEFAULT_MAX_ANSWER_DEPTH };

export interface SoapClientOptions {
  url: string;
  trust: TrustPolicy;
  connectTimeoutMs?: number;
  /** Per-call timeout (a call that sends nothing back for this long is abandoned). */
  callTimeoutMs?: number;
  signal?: AbortSignal;
  /** The largest answer one call may send, in bytes; a larger one fails with ANSWER_TOO_LARGE. */
  maxAnswerBytes?: number;
  /** The deepest element nesting accepted in an answer. */
  maxAnswerDepth?: number;
}

export interface AboutInfo {
  name: string;
  fullName: string;
  version: string;
  build: string;
  apiVersion: string;
  instanceUuid: string;
  productLineId: string;
}

export interface ServiceContent {
  about: AboutInfo;
  rootFolder: string;
  propertyCollector: string;
  viewManager: string;
  sessionManager: string;
  /** Absent on an ESXi host without custom attributes support (and in old test doubles). */
  customFieldsManager: string | undefined;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A SOAP fault from vCenter, with the fault type (e.g. InvalidLogin) and its detail. */
export class SoapFault extends Error {
  constructor(
    readonly faultType: string,
    message: string,
    readonly detail: XNode | undefined,
  ) {
    super(message);
  }
}

function moRefXml(tag: string, type: string, value: string): string {
  return `<${tag} type="${escapeXml(type)}">${escapeXml(value)}</${tag}>`;
}

export { moRefXml };

/**
 * A vim25 SOAP client written for inventory collection: one keep-alive HTTPS connection, a session
 * cookie, timeouts on every call, and answers parsed incrementally as they arrive.
 */
export class SoapClient {
  private readonly agent: https.Agent;
  private readonly url: URL;
  private readonly callTimeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly maxAnswerDepth: number;
  private cookie: string | undefined;
  private soapAction = 'urn:vim25/6.5';
  private content: ServiceContent | undefined;
  readonly host: string;
  /**
   * Where this client's calls spent their time: waiting for an answer to start (the vCenter
   * working, plus the round trip) and reading it to the end (the transfer, parsing included).
   */
  readonly timing = { waitMs: 0, readMs: 0 };

  constructor(private readonly opts: SoapClientOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'https:') {
      throw new VminerError('INVALID_INPUT', `${opts.url}: vCenter URLs must use https://`);
    }
    this.host = this.url.host;
    this.callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    this.maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.maxAnswerDepth = opts.maxAnswerDepth ?? DEFAULT_MAX_DEPTH;
    this.agent = createAgent({
      url: opts.url,
      trust: opts.trust,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    });
  }

  get serviceContent(): ServiceContent {
    if (!this.content) throw new Error('retrieveServiceContent() has not run');
    return this.content;
  }

  /**
   * Sends one call; `handlers` let large answers be consumed as they stream in. `opts` override
   * the client's timeout and signal for this call (a long poll waits longer than a normal call).
   */
  async call(
    method: string,
    bodyInner: string,
    handlers?: StreamHandlers,
    opts: CallOptions = {},
  ): Promise<XNode> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<soapenv:Body><${method} xmlns="urn:vim25">${bodyInner}</${method}></soapenv:Body></soapenv:Envelope>`;
    const root = await this.post(envelope, method, handlers, opts);
    const body = child(root, 'Body');
    const fault = child(body, 'Fault');
    if (fault) throw parseFault(fault);
    const response = body?.children[0];
    if (!response) throw new VminerError('PROTOCOL', `${this.host}: empty answer to ${method}`);
    return response;
  }

  private post(
    envelope: string,
    method: string,
    handlers: StreamHandlers | undefined,
    opts: CallOptions,
  ): Promise<XNode> {
    const signal = opts.signal ?? this.opts.signal;
    const callTimeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    if (signal?.aborted) return Promise.reject(abortError(signal, this.host));
    return new Promise<XNode>((resolve, reject) => {
      const sentAt = performance.now();
      const payload = Buffer.from(envelope, 'utf8');
      const headers: Record<string, string | number> = {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: this.soapAction,
        'Content-Length': payload.length,
      };
      if (this.cookie) headers['Cookie'] = this.cookie;
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(
          err instanceof VminerError || err instanceof SoapFault ? err : classifyNetworkError(err, this.host),
        );
      };
      const req = https.request(
        {
          protocol: 'https:',
          hostname: this.url.hostname,
          port: this.url.port || 443,
          path: this.url.pathname || '/sdk',
          method: 'POST',
          agent: this.agent,
          headers,
        },
        (res) => {
          const answeredAt = performance.now();
          this.timing.waitMs += answeredAt - sentAt;
          res.once('end', () => (this.timing.readMs += performance.now() - answeredAt));
          const setCookie = res.headers['set-cookie'];
          const session = setCookie?.find((c) => c.startsWith('vmware_soap_session'));
          if (session) this.cookie = session.split(';')[0];
          const type = res.headers['content-type'] ?? '';
          if (!/xml/i.test(type)) {
            res.resume();
            fail(
              new VminerError(
                'PROTOCOL',
                `${this.host}: HTTP ${res.statusCode} to ${method} without a SOAP answer — is ${this.url.pathname} the vCenter SDK endpoint?`,
              ),
            );
            return;
          }
          const tooLarge = (what: string): VminerError =>
            new VminerError(
              'ANSWER_TOO_LARGE',
              `${this.host}: the answer to ${method} ${what}, the most one answer may hold is ` +
                `${formatBytes(this.maxAnswerBytes)} (engine setting maxAnswerBytes; a smaller pageSize makes pages smaller)`,
            );
          const declared = Number(res.headers['content-length']);
          if (declared > this.maxAnswerBytes) {
            // Refused before a byte of it is read.
            fail(tooLarge(`is ${formatBytes(declared)} (Content-Length)`));
            res.destroy();
            return;
          }
          const parser = new SoapStreamParser(handlers, { maxDepth: this.maxAnswerDepth });
          const decoder = new StringDecoder('utf8');
          // While every chunk so far was ASCII the decoder holds no partial character, and an ASCII
          // chunk is its own text: copied as Latin-1, several times cheaper than UTF-8 decoding.
          let ascii = true;
          let received = 0;
          // The parse error is recorded before the response is destroyed: destroying a response
          // emits 'aborted' at once, which would report a dropped connection instead.
          const stop = (err: unknown): void => {
            fail(this.answerError(err, method));
            res.destroy();
          };
          res.on('data', (chunk: Buffer) => {
            if (settled) return;
            received += chunk.length;
            if (received > this.maxAnswerBytes) {
              stop(tooLarge(`grew past ${formatBytes(this.maxAnswerBytes)}`));
              return;
            }
            try {
              if (ascii && isAscii(chunk)) parser.write(chunk.toString('latin1'));
              else {
                ascii = false;
                parser.write(decoder.write(chunk));
              }
            } catch (err) {
              stop(err);
            }
          });
          res.on('end', () => {
            if (settled) return;
            try {
              parser.write(decoder.end());
              const root = parser.end();
              settled = true;
              cleanup();
              resolve(root);
            } catch (err) {
              fail(this.answerError(err, method, 'incomplete'));
            }
          });
          res.on('error', fail);
          res.on('aborted', () =>
            fail(new VminerError('UNREACHABLE', `${this.host}: the connection dropped during ${method}`)),
          );
        },
      );
      // As above: the reason is recorded first, destroying the request may report a dropped connection.
      const onAbort = (): void => {
        fail(abortError(signal!, this.host));
        req.destroy();
      };
      const timer = setTimeout(() => {
        fail(
          new VminerError(
            'TIMEOUT',
            `${this.host}: no complete answer to ${method} within ${callTimeoutMs / 1000} s`,
          ),
        );
        req.destroy();
      }, callTimeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.end(payload);
    });
  }

  /** What a failure while reading an answer means for the caller, with the call named. */
  private answerError(
    err: unknown,
    method: string,
    kind: 'malformed' | 'incomplete' = 'malformed',
  ): VminerError | SoapFault {
    if (err instanceof VminerError || err instanceof SoapFault) return err;
    if (err instanceof XmlLimitError)
      return new VminerError(
        'ANSWER_TOO_LARGE',
        `${this.host}: the answer to ${method} was refused: ${err.message}` +
          (err.limit === 'depth' ? ' (engine setting maxAnswerDepth)' : ''),
        { cause: err },
      );
    if (err instanceof XmlSyntaxError)
      return new VminerError(
        'PROTOCOL',
        `${kind} answer from ${this.host} to ${method}: ${err.reason} (line ${err.line}, column ${err.column})`,
        { cause: err },
      );
    return new VminerError(
      'PROTOCOL',
      `${kind} answer from ${this.host} to ${method}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }

  async retrieveServiceContent(): Promise<ServiceContent> {
    const res = await this.call(
      'RetrieveServiceContent',
      moRefXml('_this', 'ServiceInstance', 'ServiceInstance'),
    );
    const rv = child(res, 'returnval');
    const about = child(rv, 'about');
    const text = (name: string): string => childText(about, name) ?? '';
    const ref = (name: string): string => {
      const v = childText(rv, name);
      if (!v)
        throw new VminerError(
          'PROTOCOL',
          `${this.host}: the service content has no ${name} — not a vCenter?`,
        );
      return v;
    };
    this.content = {
      about: {
        name: text('name'),
        fullName: text('fullName'),
        version: text('version'),
        build: text('build'),
        apiVersion: text('apiVersion'),
        instanceUuid: text('instanceUuid'),
        productLineId: text('productLineId'),
      },
      rootFolder: ref('rootFolder'),
      propertyCollector: ref('propertyCollector'),
      viewManager: childText(rv, 'viewManager') ?? '',
      sessionManager: ref('sessionManager'),
      customFieldsManager: childText(rv, 'customFieldsManager') || undefined,
    };
    if (this.content.about.apiVersion) this.soapAction = `urn:vim25/${this.content.about.apiVersion}`;
    return this.content;
  }

  async login(user: string, password: string): Promise<void> {
    const sc = this.content ?? (await this.retrieveServiceContent());
    try {
      await this.call(
        'Login',
        moRefXml('_this', 'SessionManager', sc.sessionManager) +
          `<userName>${escapeXml(user)}</userName><password>${escapeXml(password)}</password>`,
      );
    } catch (err) {
      if (err instanceof SoapFault && err.faultType === 'InvalidLogin') {
        throw new VminerError(
          'LOGIN_FAILED',
          `${this.host}: login failed for ${user} (check the user name and password)`,
        );
      }
      if (err instanceof SoapFault && /NoPermission/.test(err.faultType)) {
        throw new VminerError(
          'PERMISSION_DENIED',
          `${this.host}: ${user} may not log in (needs at least a read-only role)`,
        );
      }
      throw err;
    }
  }

  /** Logs out and closes the connection; never throws (a logout failure must not fail a sync). */
  async logout(opts: CallOptions = {}): Promise<void> {
    try {
      if (this.cookie && this.content) {
        await this.call(
          'Logout',
          moRefXml('_this', 'SessionManager', this.content.sessionManager),
          undefined,
          opts,
        );
      }
    } catch {
      /* the session will expire on its own */
    } finally {
      this.cookie = undefined;
      this.agent.destroy();
    }
  }

  destroy(): void {
    this.agent.destroy();
  }

  /**
   * A client on a connection of its own in this client's session (its cookie and service
   * content), for a call that runs beside this client's calls (a vim25 session takes concurrent
   * calls). It never logs in or out: `destroy()` it when done; the session ends with this client.
   */
  companion(): SoapClient {
    const c = new SoapClient(this.opts);
    c.cookie = this.cookie;
    c.content = this.content;
    c.soapAction = this.soapAction;
    return c;
  }

  /** Forgets the session cookie (after the server said the session is gone). */
  dropSession(): void {
    this.cookie = undefined;
  }
}

/** True for the fault a vCenter answers once a session expired or was terminated. */
export function isSessionExpired(err: unknown): boolean {
  return (
    err instanceof VminerError && err.cause instanceof SoapFault && err.cause.faultType === 'NotAuthenticated'
  );
}

function formatBytes(n: number): string {
  const mb = n / (1024 * 1024);
  if (mb >= 1) return `${mb >= 100 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

function abortError(signal: AbortSignal, host: string): VminerError {
  const reason: unknown = signal.reason;
  if (reason instanceof VminerError) return reason;
  return new VminerError('CANCELLED', `${host}: cancelled`);
}

function parseFault(fault: XNode): SoapFault | VminerError {
  const message = childText(fault, 'faultstring') ?? 'unknown fault';
  const detail = child(fault, 'detail');
  const first = detail?.children[0];
  const faultType = first?.xsiType ?? first?.name.replace(/Fault$/, '') ?? 'Fault';
  if (faultType === 'NotAuthenticated') {
    // The fault rides along as the cause: a live session re-logs in on exactly this fault.
    return new VminerError('PERMISSION_DENIED', `not authenticated or session expired: ${message}`, {
      cause: new SoapFault(faultType, message, first),
    });
  }
  if (faultType === 'NoPermission') {
    return new VminerError(
      'PERMISSION_DENIED',
      `permission denied: ${message} (the account needs at least a read-only role)`,
    );
  }
  return new SoapFault(faultType, message, first);
}
