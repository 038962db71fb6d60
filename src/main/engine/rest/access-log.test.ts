import { describe, expect, it } from 'vitest';
import { accessUrl } from './access-log.js';

describe('accessUrl', () => {
  it('keeps the path and harmless parameters, masks values whose names look like credentials', () => {
    expect(accessUrl('/api/vms')).toBe('/api/vms');
    expect(accessUrl('/api/vms?powerState=poweredOff&limit=5')).toBe(
      '/api/vms?powerState=poweredOff&limit=5',
    );
    expect(accessUrl('/api/events?token=eyJabc&x=1')).toBe('/api/events?token=***&x=1');
    expect(accessUrl('/x?access_token=a&Password=b&api%5Fkey=c&session=d&flag')).toBe(
      '/x?access_token=***&Password=***&api%5Fkey=***&session=***&flag',
    );
  });
});
