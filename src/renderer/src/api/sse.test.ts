import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('reads named events split across chunks and skips comments', () => {
    const p = new SseParser();
    expect(p.push(': connected\n\nevent: sync:progress\nda')).toEqual([]);
    expect(p.push('ta: {"a":1}\n\n: keep-alive\n\nevent: x\ndata: 1\ndata: 2\n\n')).toEqual([
      { event: 'sync:progress', data: '{"a":1}' },
      { event: 'x', data: '1\n2' },
    ]);
  });

  it('accepts CRLF line ends and defaults the event name', () => {
    expect(new SseParser().push('data: hi\r\n\r\n')).toEqual([{ event: 'message', data: 'hi' }]);
  });
});
