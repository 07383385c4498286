import { describe, expect, it } from 'vitest';
import { InputError } from '../model/errors.ts';
import { formatCpu, formatMemory, parseCpuMillis, parseMemory, raiseCpu, raiseMemory } from './quantity.ts';

describe('actions/quantity', () => {
  it('parses memory in binary and decimal units', () => {
    expect(parseMemory('256Mi')).toBe(256 * 2 ** 20);
    expect(parseMemory('1Gi')).toBe(2 ** 30);
    expect(parseMemory('500M')).toBe(500e6);
    expect(parseMemory('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseMemory(1024)).toBe(1024);
  });

  it('parses CPU as millicores', () => {
    expect(parseCpuMillis('500m')).toBe(500);
    expect(parseCpuMillis('2')).toBe(2000);
    expect(parseCpuMillis('0.25')).toBe(250);
    expect(parseCpuMillis(1)).toBe(1000);
  });

  it('rejects what is not a quantity, naming it', () => {
    expect(() => parseMemory('lots')).toThrow(InputError);
    expect(() => parseMemory('lots')).toThrow(/memory: "lots"/);
    expect(() => parseCpuMillis('')).toThrow(/cpu/);
  });

  it('formats back in the units a reviewer expects', () => {
    expect(formatMemory(384 * 2 ** 20)).toBe('384Mi');
    expect(formatMemory(2 * 2 ** 30)).toBe('2Gi');
    expect(formatMemory(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatCpu(750)).toBe('750m');
    expect(formatCpu(2000)).toBe('2');
  });

  it('raises by a factor, rounds up, and never passes the cap', () => {
    expect(formatMemory(raiseMemory(parseMemory('256Mi'), 1.5, parseMemory('8Gi')))).toBe('384Mi');
    expect(formatMemory(raiseMemory(parseMemory('100M'), 1.5, parseMemory('8Gi')))).toBe('144Mi');
    expect(formatMemory(raiseMemory(parseMemory('7Gi'), 1.5, parseMemory('8Gi')))).toBe('8Gi');
    expect(formatCpu(raiseCpu(200, 1.5, 4000))).toBe('300m');
    expect(formatCpu(raiseCpu(333, 1.5, 4000))).toBe('500m');
    expect(raiseCpu(3000, 1.5, 4000)).toBe(4000);
  });
});
