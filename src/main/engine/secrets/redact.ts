/**
 * Replaces every occurrence of each secret in `text` with `***`: the plain
 * form, XML-escaped forms, URI-encoded forms and base64 (for logs of SOAP
 * bodies, URLs and Authorization headers).
 * Empty secrets are ignored; very short secrets also mask unrelated text (fails closed, by design).
 */
export const REDACTED = '***';

export function redact(text: string, secrets: Iterable<string>): string {
  return new Redactor(secrets).redact(text);
}

/**
 * Secrets compiled once into every form to look for, longest first: a logger redacts each string
 * of every line (`vminer serve` writes one access-log line per request), and working out the
 * escaped and encoded forms costs far more than looking for them.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every form of every secret, longest first, so a form that contains another is replaced whole. */
  private needles: readonly string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.addOne(secret);
    this.compile();
  }

  /** Adds a secret (a repeat or an empty one changes nothing). */
  add(secret: string): void {
    if (this.addOne(secret)) this.compile();
  }

  /** How many distinct forms are looked for. */
  get formCount(): number {
    return this.needles.length;
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  }

  private addOne(secret: unknown): boolean {
    if (typeof secret !== 'string' || secret.length === 0 || this.secrets.has(secret)) return false;
    this.secrets.add(secret);
    return true;
  }

  private compile(): void {
    const needles = new Set<string>();
    for (const secret of this.secrets)
      for (const form of formsOf(secret)) if (form.length > 0) needles.add(form);
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }
}

function formsOf(secret: string): string[] {
  const forms = [secret];
  // XML: full escaping with named and numeric entities, and text-node style (& < > only).
  const amp = secret.replace(/&/g, '&amp;');
  forms.push(amp.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'));
  forms.push(amp.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'));
  forms.push(amp.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  forms.push(amp.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  forms.push(amp.replace(/</g, '&lt;'));
  // URI: component encoding, form encoding (+ for space), and lowercase hex variants.
  const uri = safeEncode(secret);
  if (uri !== undefined) {
    forms.push(
      uri,
      uri.replace(/%20/g, '+'),
      uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    );
    forms.push(uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  }
  // base64 (padded and unpadded) of the UTF-8 bytes.
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  forms.push(b64, b64.replace(/=+$/, ''));
  return forms;
}

function safeEncode(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined; // lone surrogate
  }
}
