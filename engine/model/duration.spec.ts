import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.ts';

describe('model/duration', () => {
  it('shows the two largest units, truncated, never more than the value', () => {
    expect(formatDuration(259_200)).toBe('3d');
    expect(formatDuration(7_200)).toBe('2h');
    expect(formatDuration(5_400)).toBe('1h 30m');
    expect(formatDuration(7_199)).toBe('1h 59m');
    expect(formatDuration(93_784)).toBe('1d 2h');
    expect(formatDuration(1_800)).toBe('30m');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5)).toBe('0s');
  });
});
