/** A count in words that agree with it: `counted(1, 'signal')` → "1 signal", `counted(3, 'signal')` → "3 signals". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
